package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.Layer;
import java.io.IOException;

/**
 * Reads a store's block list ("Store block list") and resolves it front to back as "Successive
 * block descriptors" says: not-used descriptors are ignored; a descriptor for a block a
 * forwarder named takes the forwarder's original block (and a forwarder back to where it came
 * from is dropped); a later descriptor replaces an earlier one of the same block but keeps its
 * overlay; overlays add their sectors to the block's overlay; forwarders enter the reverse list.
 */
final class StoreBlockList {
    private StoreBlockList() {}

    /**
     * Blocks one store may describe: 4,194,304 (64 GiB preserved), an index of at most 104 MiB
     * (156 MiB while its table doubles). A larger store is beyond what vdetach reads (its index
     * would not fit a small heap); so are more forwarders than that.
     */
    static final int MAX_BLOCKS = 1 << 22;

    /** Blocks with overlays: a few per store in the corpus (9 and 9); 65,536 keep their map under 8 MiB. */
    static final int MAX_OVERLAYS = 1 << 16;

    /** Block list blocks hold 508 descriptors each: twice the blocks {@link #MAX_BLOCKS} needs. */
    private static final BlockChain.Limit LIMIT = new BlockChain.Limit(2L * MAX_BLOCKS / 508 + 1, true,
            "a store of more than " + MAX_BLOCKS + " blocks");

    /**
     * @param first the first block list block (checked by the caller)
     * @param diffArea the store's ranges, which every preserved block must lie in; null when the store has no range list
     */
    static StoreIndex read(Layer volume, long first, StoreRanges diffArea) throws IOException {
        StoreIndex index = new StoreIndex();
        // reverse block list: block a forwarder names -> the original block of that forwarder
        StoreIndex reverse = new StoreIndex();
        long size = volume.size();
        BlockChain.walk(volume, first, BlockHeader.BLOCK_LIST, LIMIT, false, (b, at, h) -> {
            for (int pos = BlockHeader.SIZE; pos + BlockDescriptor.SIZE <= Vss.BLOCK; pos += BlockDescriptor.SIZE) {
                BlockDescriptor d = BlockDescriptor.parse(b, pos, at);
                if (d == null || d.notUsed()) continue;
                d.check(size);
                if (!d.forwarder() && diffArea != null && !diffArea.contains(d.storeOffset(), Vss.BLOCK)) {
                    throw new CorruptImageException(Vss.FORMAT, "store block descriptor", d.at() + 16, "preserved block at offset "
                            + d.storeOffset() + " lies outside the store's diff area (its block range list)");
                }
                add(index, reverse, d);
            }
        });
        index.reverse(reverse.blocks(StoreIndex.FORWARD));
        return index;
    }

    private static void add(StoreIndex index, StoreIndex reverse, BlockDescriptor d) {
        long original = d.original();
        if (!d.overlay()) {
            int r = reverse.find(original);
            if (r >= 0 && reverse.kind(r) == StoreIndex.FORWARD) {
                original = reverse.target(r);
                reverse.main(r, StoreIndex.NONE, 0);
                if (d.forwarder() && original == d.relative()) return;
            }
        }
        if (index.size() >= MAX_BLOCKS || reverse.size() >= MAX_BLOCKS || index.overlays() >= MAX_OVERLAYS) {
            throw new UnsupportedImageException(Vss.FORMAT, "store block list", d.at(), "a store of more than " + MAX_BLOCKS
                    + " blocks (64 GiB preserved), " + MAX_BLOCKS + " forwarders or " + MAX_OVERLAYS + " overlaid blocks");
        }
        if (d.overlay()) index.overlay(original, d.bitmap(), d.storeOffset());
        else if (d.forwarder()) index.main(index.slotFor(original), StoreIndex.FORWARD, d.relative());
        else index.main(index.slotFor(original), StoreIndex.DATA, d.storeOffset());
        if (d.forwarder()) reverse.main(reverse.slotFor(d.relative()), StoreIndex.FORWARD, original);
    }
}
