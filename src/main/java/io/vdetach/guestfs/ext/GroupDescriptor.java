package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;

/**
 * One block group descriptor (32 bytes, or s_desc_size with 64bit). Only what reading files
 * needs: where the group's inode table starts, and whether it was ever initialised.
 * {@code offset} is where the descriptor lies in the volume, for messages. Ext4 disk layout, "Block Group Descriptors".
 */
record GroupDescriptor(long group, long inodeTable, int flags, long offset) {

    /** bg_flags: the inode table is not initialised (mkfs lazy_itable_init). */
    static final int INODE_UNINIT = 0x1;

    static GroupDescriptor parse(ByteBuffer b, int at, long group, Superblock sb, long offset) {
        long table = Superblock.u32(b, at + 0x8);
        if (sb.descSize() >= 64) table |= Superblock.u32(b, at + 0x28) << 32;
        long tableBlocks = (sb.inodesPerGroup() * sb.inodeSize() + sb.blockSize() - 1) / sb.blockSize();
        if (table == 0 || table > sb.blocksCount() || tableBlocks > sb.blocksCount() - table) {
            throw new CorruptImageException(sb.typeName(), "group descriptor " + group, offset + 0x8,
                    "inode table at block " + table + " (" + tableBlocks + " blocks) outside the "
                            + sb.blocksCount() + " blocks of the filesystem");
        }
        return new GroupDescriptor(group, table, b.getShort(at + 0x12) & 0xffff, offset);
    }
}
