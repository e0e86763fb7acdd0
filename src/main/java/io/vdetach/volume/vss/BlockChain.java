package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * Walks a chain of 16 KiB blocks linked by their headers' next offsets: the catalog, a store's
 * block list, range list and bitmaps. Every chain is bounded and may not visit a block twice.
 */
final class BlockChain {
    private BlockChain() {}

    /** What is done with each block; {@code block} holds the whole block, or only its header when asked. */
    @FunctionalInterface
    interface Visitor {
        void block(ByteBuffer block, long offset, BlockHeader header) throws IOException;
    }

    /**
     * How long a chain may be.
     *
     * @param ours true when the bound is vdetach's (a longer chain is unsupported), false when no valid
     *     volume has a longer one (it is corrupt)
     * @param why the reason, for the message
     */
    record Limit(long blocks, boolean ours, String why) {}

    /** Checks that {@code value}, read at {@code field} of {@code structure}, names a 16 KiB block inside the volume. */
    static long blockOffset(long value, String structure, long field, long volumeSize, String what) {
        if (value <= 0 || value % Vss.BLOCK != 0 || value > volumeSize - Vss.BLOCK) {
            throw new CorruptImageException(Vss.FORMAT, structure, field, what + " offset " + value
                    + " is not a 16 KiB block inside the volume (" + volumeSize + " bytes)");
        }
        return value;
    }

    /** Visits the chain starting at {@code first} (checked by the caller with {@link #blockOffset}); returns its length. */
    static long walk(Layer volume, long first, int type, Limit limit, boolean headerOnly, Visitor visitor) throws IOException {
        Set<Long> seen = new HashSet<>();
        long at = first;
        long n = 0;
        while (at != 0) {
            if (!seen.add(at)) {
                throw new CorruptImageException(Vss.FORMAT, BlockHeader.name(type), at, "the chain loops back to this block");
            }
            if (++n > limit.blocks()) {
                String msg = "a chain of more than " + limit.blocks() + " " + BlockHeader.name(type) + "s (" + limit.why() + ")";
                if (limit.ours()) throw new UnsupportedImageException(Vss.FORMAT, BlockHeader.name(type), at, msg);
                throw new CorruptImageException(Vss.FORMAT, BlockHeader.name(type), at, msg);
            }
            ByteBuffer b = volume.readBytes(at, headerOnly ? BlockHeader.SIZE : Vss.BLOCK);
            BlockHeader h = BlockHeader.parse(b, at, type, volume.size());
            visitor.block(b, at, h);
            at = h.nextOffset();
        }
        return n;
    }
}
