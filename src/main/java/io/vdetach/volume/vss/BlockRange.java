package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;

/**
 * One 24-byte entry of a store block range list ("Store block range entry"), as stored: a piece
 * of the volume that holds the store itself (its diff area).
 *
 * @param storeOffset the start, from the start of the volume; @param relative the same from the start of the store
 */
record BlockRange(long at, long storeOffset, long relative, long size) {

    static final int SIZE = 24;

    /** The entry at {@code pos} of a range list block read at {@code blockOffset}; null for an empty one (size 0). */
    static BlockRange parse(ByteBuffer b, int pos, long blockOffset, long volumeSize) {
        long start = b.getLong(pos), size = b.getLong(pos + 16);
        if (size == 0) return null;
        if (start < 0 || size < 0 || start > volumeSize || size > volumeSize - start) {
            throw new CorruptImageException(Vss.FORMAT, "store block range entry", blockOffset + pos, "range of " + size
                    + " bytes at offset " + start + " is not inside the volume (" + volumeSize + " bytes)");
        }
        return new BlockRange(blockOffset + pos, start, b.getLong(pos + 8), size);
    }

    long end() { return storeOffset + size; }
}
