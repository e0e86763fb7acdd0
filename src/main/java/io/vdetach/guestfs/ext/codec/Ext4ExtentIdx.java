package io.vdetach.guestfs.ext.codec;

import java.nio.ByteBuffer;

/**
 * ext4_extent_idx (12 bytes), an interior entry of the extent tree: the node at block
 * {@code leaf} (ei_leaf_lo/hi) covers the file from block {@code logical} (ei_block) on.
 */
public record Ext4ExtentIdx(long logical, long leaf) {

    static Ext4ExtentIdx parse(ByteBuffer b, int at) {
        return new Ext4ExtentIdx(b.getInt(at) & 0xFFFFFFFFL, (b.getInt(at + 4) & 0xFFFFFFFFL) | (b.getShort(at + 8) & 0xFFFFL) << 32);
    }

    void serialise(ByteBuffer b, int at) {
        b.putInt(at, (int) logical).putInt(at + 4, (int) leaf).putShort(at + 8, (short) (leaf >>> 32)).putShort(at + 10, (short) 0);
    }
}
