package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;

/**
 * ext4_extent_header (12 bytes): the head of every extent-tree node, in i_block or in a block
 * ("Extent Tree"). Its entries follow it; in a block, the 4-byte ext4_extent_tail follows eh_max of them.
 */
public record Ext4ExtentHeader(int magic, int entries, int max, int depth, int generation) {
    public static final int MAGIC = 0xF30A;
    public static final int SIZE = 12;
    /** The kernel refuses trees deeper than 5 (EXT4_MAX_EXTENT_DEPTH). */
    public static final int MAX_DEPTH = 5;

    /** Parses and validates the header at {@code at}; {@code nodeBytes} is the room of the node (60 in the inode). */
    public static Ext4ExtentHeader parse(ByteBuffer b, int at, int nodeBytes, String fs, String structure, long offset) {
        Ext4ExtentHeader h = new Ext4ExtentHeader(b.getShort(at) & 0xFFFF, b.getShort(at + 2) & 0xFFFF,
                b.getShort(at + 4) & 0xFFFF, b.getShort(at + 6) & 0xFFFF, b.getInt(at + 8));
        if (h.magic != MAGIC) {
            throw new CorruptImageException(fs, structure, offset, "bad extent header magic 0x" + Integer.toHexString(h.magic));
        }
        int capacity = capacity(nodeBytes);
        if (h.max > capacity || h.entries > h.max) {
            throw new CorruptImageException(fs, structure, offset, "extent header says " + h.entries + " of " + h.max
                    + " entries; the node holds " + capacity);
        }
        if (h.depth > MAX_DEPTH) throw new CorruptImageException(fs, structure, offset + 6, "extent tree depth " + h.depth);
        return h;
    }

    /** Entries a node of {@code nodeBytes} holds (4 in i_block, 340 in a 4 KiB block). */
    public static int capacity(int nodeBytes) { return (nodeBytes - SIZE) / 12; }

    public void serialise(ByteBuffer b, int at) {
        b.putShort(at, (short) magic).putShort(at + 2, (short) entries).putShort(at + 4, (short) max)
                .putShort(at + 6, (short) depth).putInt(at + 8, generation);
    }
}
