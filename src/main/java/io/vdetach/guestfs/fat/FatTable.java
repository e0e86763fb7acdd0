package io.vdetach.guestfs.fat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.CachedLayer;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The FAT in use, read through the block cache, and the cluster chains it links. Chains come
 * back as runs of consecutive clusters, checked against the cluster count and for repeats (a
 * cycle), so callers never loop on a hostile FAT.
 */
final class FatTable implements ChainRuns.Links {
    private static final String FORMAT = BiosParameterBlock.FORMAT;
    /** The FAT is cached in blocks of this size: 16,384 FAT32 entries. */
    private static final int BLOCK = 64 << 10;

    private final Layer fat;
    private final FatLayout layout;

    FatTable(Layer volume, FatLayout layout, BlockCache cache) {
        this.fat = new CachedLayer(volume, BLOCK, cache);
        this.layout = layout;
    }

    /** The raw FAT entry of {@code cluster}. */
    long entry(long cluster) throws IOException {
        ByteBuffer b = fat.readBytes(entryOffset(cluster), layout.type() == FatType.FAT32 ? 4 : 2);
        return switch (layout.type()) {
            case FAT12 -> (cluster & 1) == 0 ? b.getShort(0) & 0xfff : (b.getShort(0) & 0xffff) >>> 4;
            case FAT16 -> b.getShort(0) & 0xffff;
            case FAT32 -> b.getInt(0) & 0x0FFFFFFFL; // the top 4 bits are reserved
        };
    }

    /** The chain from {@code first}, as {@link ChainRuns#follow} (a file's size says how many clusters it wants). */
    List<ChainRuns.ClusterRun> chain(long first, long wanted, long maxClusters, String what, long entryOffset) throws IOException {
        return ChainRuns.follow(this, first, wanted, maxClusters, FORMAT, what, entryOffset, "size");
    }

    @Override public long next(long cluster) throws IOException { return entry(cluster); }

    @Override public boolean isEndOfChain(long entry) { return entry >= layout.type().endOfChain; }

    @Override public long clusterCount() { return layout.clusterCount(); }

    @Override
    public String invalidTarget(long entry) {
        return entry == 0 ? "a free cluster" : entry == layout.type().bad ? "a bad-cluster mark"
                : "cluster " + entry + ", beyond the " + layout.clusterCount() + " clusters";
    }

    /** Where {@code cluster}'s entry is: 1.5, 2 or 4 bytes an entry (fatgen103 section 4). */
    @Override
    public long entryOffset(long cluster) {
        return layout.fatOffset() + switch (layout.type()) {
            case FAT12 -> cluster + cluster / 2;
            case FAT16 -> cluster * 2;
            case FAT32 -> cluster * 4;
        };
    }
}
