package io.vdetach.guestfs.ext.codec;

import java.nio.ByteBuffer;

/**
 * ext4_extent (12 bytes), a leaf entry of the extent tree: {@code length} blocks of the file from
 * block {@code logical} (ee_block), stored from block {@code physical} (ee_start_hi/lo).
 * ee_len above 32768 marks an unwritten extent of ee_len - 32768 blocks, which reads as zeros.
 */
public record Ext4Extent(long logical, int length, boolean unwritten, long physical) {
    /** Largest initialised extent (ee_len is 16 bits; values above mean unwritten). */
    public static final int MAX_LEN = 32768;

    static Ext4Extent parse(ByteBuffer b, int at) {
        int len = b.getShort(at + 4) & 0xFFFF;
        boolean unwritten = len > MAX_LEN;
        return new Ext4Extent(b.getInt(at) & 0xFFFFFFFFL, unwritten ? len - MAX_LEN : len, unwritten,
                (b.getShort(at + 6) & 0xFFFFL) << 32 | (b.getInt(at + 8) & 0xFFFFFFFFL));
    }

    void serialise(ByteBuffer b, int at) {
        b.putInt(at, (int) logical).putShort(at + 4, (short) (length + (unwritten ? MAX_LEN : 0)))
                .putShort(at + 6, (short) (physical >>> 32)).putInt(at + 8, (int) physical);
    }

    public long logicalEnd() { return logical + length; }
}
