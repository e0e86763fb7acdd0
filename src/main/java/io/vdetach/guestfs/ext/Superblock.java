package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The ext2/3/4 superblock (1024 bytes at byte 1024 of the volume), validated: code past
 * {@link #parse} may trust every field here. Source: the Linux kernel's ext4 disk-layout
 * documentation, "The Super Block".
 *
 * @param blockSize 1024 &lt;&lt; s_log_block_size
 * @param blocksCount s_blocks_count (hi word only with 64bit)
 * @param groupCount block groups, derived from the block count
 * @param inodeSize bytes per on-disk inode (128 for revision 0)
 * @param descSize bytes per group descriptor (32, or s_desc_size with 64bit)
 * @param backupBgs s_backup_bgs (sparse_super2): the only groups besides 0 with a superblock copy
 * @param freeBlocks s_free_blocks_count (as last written; only for progress estimates)
 * @param freeInodes s_free_inodes_count (likewise)
 */
record Superblock(int blockSize, long blocksCount, long firstDataBlock, long blocksPerGroup, long inodesPerGroup,
                  long inodesCount, long groupCount, int inodeSize, int descSize, int revLevel,
                  int featureCompat, int featureIncompat, int featureRoCompat, long firstMetaBg,
                  int state, String label, long[] backupBgs, long freeBlocks, long freeInodes) {

    static final int OFFSET = 1024;
    static final int SIZE = 1024;
    static final int MAGIC = 0xEF53;
    /** s_log_block_size: ext4 allows 1 KiB to 64 KiB blocks. */
    static final int MAX_LOG_BLOCK_SIZE = 6;
    /** The group count fits the 32-bit group numbers of the on-disk format. */
    static final long MAX_GROUPS = 1L << 32;

    static Superblock parse(ByteBuffer raw, long offset, long volumeSize) {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getShort(0x38) & 0xffff) != MAGIC) fail(offset + 0x38, "bad magic");
        long inodesCount = u32(b, 0x0);
        long logBlockSize = u32(b, 0x18);
        if (logBlockSize > MAX_LOG_BLOCK_SIZE) fail(offset + 0x18, "s_log_block_size " + logBlockSize + " (block size above 64 KiB)");
        int blockSize = 1024 << logBlockSize;
        int incompat = b.getInt(0x60);
        int compat = b.getInt(0x5C);
        int roCompat = b.getInt(0x64);
        int revLevel = b.getInt(0x4C);
        if (revLevel < 0 || revLevel > 1) fail(offset + 0x4C, "s_rev_level " + revLevel);
        if (revLevel == 0) {
            // Revision 0 has no feature fields; whatever is stored there means nothing.
            compat = 0;
            incompat = 0;
            roCompat = 0;
        }
        boolean is64 = (incompat & Features.INCOMPAT_64BIT) != 0;
        long blocksCount = u32(b, 0x4) | (is64 ? u32(b, 0x150) << 32 : 0);
        long firstDataBlock = u32(b, 0x14);
        long blocksPerGroup = u32(b, 0x20);
        long inodesPerGroup = u32(b, 0x28);
        if (blocksCount == 0) fail(offset + 0x4, "s_blocks_count is 0");
        if (blocksCount > volumeSize / blockSize) {
            fail(offset + 0x4, "s_blocks_count " + blocksCount + " of " + blockSize + " bytes exceeds the volume ("
                    + volumeSize + " bytes)");
        }
        if (firstDataBlock != (blockSize == 1024 ? 1 : 0) && firstDataBlock != 0) {
            fail(offset + 0x14, "s_first_data_block " + firstDataBlock);
        }
        if (firstDataBlock >= blocksCount) fail(offset + 0x14, "s_first_data_block past the last block");
        if (blocksPerGroup < 8 || blocksPerGroup > (long) blockSize * 8 * 65536) {
            fail(offset + 0x20, "s_blocks_per_group " + blocksPerGroup);
        }
        // One inode bitmap block covers a group: at most 8 inodes per byte of a block.
        if (inodesPerGroup == 0 || inodesPerGroup > (long) blockSize * 8) {
            fail(offset + 0x28, "s_inodes_per_group " + inodesPerGroup);
        }
        long groupCount = (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
        if (groupCount == 0 || groupCount > MAX_GROUPS) fail(offset + 0x20, "group count " + groupCount);
        if (inodesCount == 0 || inodesCount > groupCount * inodesPerGroup) {
            fail(offset, "s_inodes_count " + inodesCount + " for " + groupCount + " groups of " + inodesPerGroup);
        }
        int inodeSize = revLevel == 0 ? 128 : b.getShort(0x58) & 0xffff;
        if (inodeSize < 128 || inodeSize > blockSize || Integer.bitCount(inodeSize) != 1) {
            fail(offset + 0x58, "s_inode_size " + inodeSize);
        }
        int descSize = 32;
        if (is64) {
            descSize = b.getShort(0xFE) & 0xffff;
            if (descSize < 64 || descSize > 1024 || Integer.bitCount(descSize) != 1) fail(offset + 0xFE, "s_desc_size " + descSize);
        }
        if ((incompat & Features.INCOMPAT_JOURNAL_DEV) != 0) {
            throw UnsupportedImageException.because("ext", "this volume is an external journal device, it holds no files");
        }
        if ((incompat & Features.INCOMPAT_COMPRESSION) != 0) throw new UnsupportedImageException("ext", "e2compr compression");
        if ((incompat & Features.INCOMPAT_DIRDATA) != 0) throw new UnsupportedImageException("ext", "the dirdata feature (Lustre)");
        int unknown = incompat & ~Features.INCOMPAT_KNOWN;
        if (unknown != 0) {
            throw new UnsupportedImageException("ext", "incompatible feature bits 0x" + Integer.toHexString(unknown));
        }
        long firstMetaBg = u32(b, 0x104);
        byte[] name = new byte[16];
        b.get(0x78, name);
        int len = 0;
        while (len < 16 && name[len] != 0) len++;
        String label = new String(name, 0, len, StandardCharsets.UTF_8);
        long[] backup = {u32(b, 0x24C), u32(b, 0x250)};
        return new Superblock(blockSize, blocksCount, firstDataBlock, blocksPerGroup, inodesPerGroup, inodesCount,
                groupCount, inodeSize, descSize, revLevel, compat, incompat, roCompat, firstMetaBg,
                b.getShort(0x3A) & 0xffff, label, backup,
                Math.min(blocksCount, u32(b, 0x0C) | (is64 ? u32(b, 0x158) << 32 : 0)), Math.min(inodesCount, u32(b, 0x10)));
    }

    boolean hasIncompat(int bit) { return (featureIncompat & bit) != 0; }

    boolean hasCompat(int bit) { return (featureCompat & bit) != 0; }

    boolean hasRoCompat(int bit) { return (featureRoCompat & bit) != 0; }

    /** "ext4" when any feature beyond ext3's is on, "ext3" with a journal, else "ext2" (blkid's rule). */
    String typeName() {
        if ((featureIncompat & ~Features.EXT3_INCOMPAT) != 0 || (featureRoCompat & ~Features.EXT3_RO_COMPAT) != 0) return "ext4";
        return hasCompat(Features.COMPAT_HAS_JOURNAL) ? "ext3" : "ext2";
    }

    /** Whether group {@code g} starts with a superblock copy (and so a descriptor-table copy). */
    boolean groupHasSuper(long g) {
        if (g == 0) return true;
        if (hasCompat(Features.COMPAT_SPARSE_SUPER2)) return g == backupBgs[0] || g == backupBgs[1];
        if (g <= 1 || !hasRoCompat(Features.RO_COMPAT_SPARSE_SUPER)) return true;
        if ((g & 1) == 0) return false;
        return isPower(g, 3) || isPower(g, 5) || isPower(g, 7);
    }

    private static boolean isPower(long g, int base) {
        long n = base;
        while (n < g) n *= base;
        return n == g;
    }

    static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffffffffL;
    }

    private static void fail(long offset, String detail) {
        throw new CorruptImageException("ext", "superblock", offset, detail);
    }
}
