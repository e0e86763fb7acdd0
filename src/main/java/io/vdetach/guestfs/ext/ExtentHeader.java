package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;

/** ext4_extent_header (12 bytes): the head of every extent-tree node ("Extent Tree"). */
record ExtentHeader(int entries, int max, int depth) {
    static final int MAGIC = 0xF30A;
    static final int SIZE = 12;
    /** The kernel refuses trees deeper than 5 (EXT4_MAX_EXTENT_DEPTH). */
    static final int MAX_DEPTH = 5;

    /**
     * @param nodeBytes bytes available for the node (60 in the inode, the block size elsewhere)
     */
    static ExtentHeader parse(ByteBuffer b, int at, int nodeBytes, String fs, String structure, long offset) {
        int magic = b.getShort(at) & 0xffff;
        if (magic != MAGIC) throw new CorruptImageException(fs, structure, offset, "bad extent header magic 0x" + Integer.toHexString(magic));
        int entries = b.getShort(at + 2) & 0xffff;
        int max = b.getShort(at + 4) & 0xffff;
        int depth = b.getShort(at + 6) & 0xffff;
        int capacity = (nodeBytes - SIZE) / 12;
        if (max > capacity || entries > max) {
            throw new CorruptImageException(fs, structure, offset, "extent header says " + entries + " of " + max
                    + " entries; the node holds " + capacity);
        }
        if (depth > MAX_DEPTH) throw new CorruptImageException(fs, structure, offset + 6, "extent tree depth " + depth);
        return new ExtentHeader(entries, max, depth);
    }
}
