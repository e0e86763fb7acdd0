package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ext4_xattr_header, the first 32 bytes of an xattr block ("Extended Attributes"): h_magic,
 * h_refcount (inodes sharing the block), h_blocks (always 1), h_hash (of all entries),
 * h_checksum (crc32c(seed, le64 block number, the block with the field zero) with metadata_csum),
 * reserved. Entries start after it.
 */
public record Ext4XattrHeader(int magic, int refcount, int blocks, int hash, int checksum) {
    /** The first word of an xattr block, and of an in-inode xattr area (ext4_xattr_ibody_header). */
    public static final int MAGIC = 0xEA020000;
    public static final int SIZE = 32;

    /** Parses and validates the header of {@code b} (a whole block at {@code offset} in the volume). */
    public static Ext4XattrHeader parse(ByteBuffer src, String fs, String structure, long offset) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Ext4XattrHeader h = new Ext4XattrHeader(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12), b.getInt(16));
        if (h.magic != MAGIC) throw new CorruptImageException(fs, structure, offset, "bad magic");
        if (h.blocks != 1) throw new CorruptImageException(fs, structure, offset + 8, "h_blocks " + h.blocks + " (must be 1)");
        return h;
    }

    public Ext4XattrHeader withRefcount(int n) { return new Ext4XattrHeader(magic, n, blocks, hash, checksum); }

    /** Writes the header into {@code block} (block {@code blockNr} of the volume) and, with metadata_csum, h_checksum. */
    public void serialise(byte[] block, long blockNr, Ext4SuperBlock sb) {
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, magic).putInt(4, refcount).putInt(8, blocks).putInt(12, hash).putInt(16, 0);
        if (sb.has(Feature.METADATA_CSUM)) b.putInt(16, Crc32c.update(Crc32c.updateLong(sb.csumSeed(), blockNr), block, 0, block.length));
        else b.putInt(16, checksum);
    }
}
