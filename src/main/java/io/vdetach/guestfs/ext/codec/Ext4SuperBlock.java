package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * ext4_super_block: 1024 bytes at byte 1024 of the volume. Source: the Linux kernel's ext4 disk
 * layout ("The Super Block"). The components are the fields the reader and the offline writer
 * interpret, in disk order, lo/hi halves joined; {@code raw} keeps all 1024 bytes, so
 * {@link #serialise} changes nothing else. Revision 0 has no dynamic fields (first inode, inode
 * size, features): they read as 11, 128 and none, and are not written back.
 *
 * @param blocksCount s_blocks_count_lo, and _hi at 0x150 with 64bit
 * @param freeBlocksCount s_free_blocks_count_lo, and _hi at 0x158 with 64bit
 * @param logBlockSize block size = 1024 &lt;&lt; s_log_block_size
 * @param hashSeed s_hash_seed: the htree hash seed (4 words)
 * @param descSize s_desc_size with 64bit, else 32
 * @param flags s_flags: 0x2 means htree names were hashed as unsigned chars
 * @param backupBgs s_backup_bgs (sparse_super2): the only groups besides 0 with a superblock copy
 * @param checksum s_checksum: crc32c(~0, the 1020 bytes before it) with metadata_csum
 */
public record Ext4SuperBlock(long inodesCount, long blocksCount, long freeBlocksCount, long freeInodesCount,
                             long firstDataBlock, int logBlockSize, long blocksPerGroup, long inodesPerGroup, int magic,
                             int state, int revLevel, long firstIno, int inodeSize, int featureCompat, int featureIncompat,
                             int featureRoCompat, byte[] uuid, byte[] volumeName, int reservedGdtBlocks, long lastOrphan,
                             int[] hashSeed, int defHashVersion, int descSize, long firstMetaBg, int wantExtraIsize, int flags,
                             int checksumType, long[] backupBgs, int checksumSeed, int checksum, byte[] raw) {

    public static final int OFFSET = 1024;
    public static final int SIZE = 1024;
    public static final int MAGIC = 0xEF53;
    /** s_log_block_size: ext4 allows 1 KiB to 64 KiB blocks. */
    static final int MAX_LOG_BLOCK_SIZE = 6;
    /** The group count fits the 32-bit group numbers of the on-disk format. */
    static final long MAX_GROUPS = 1L << 32;
    /** s_state bits. */
    public static final int STATE_CLEAN = 0x1, STATE_ERRORS = 0x2;
    /** s_checksum_type: the only one defined is crc32c. */
    public static final int CHECKSUM_CRC32C = 1;
    /** s_flags: htree hashes use unsigned chars. */
    static final int FLAG_UNSIGNED_HASH = 0x2;
    private static final int CHECKSUM_AT = 0x3FC;

    /** Reads the fields of {@code raw} (1024 bytes) as stored; {@link #validate} checks them. */
    public static Ext4SuperBlock parse(ByteBuffer raw) {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] bytes = new byte[SIZE];
        b.get(0, bytes);
        int rev = b.getInt(0x4C);
        boolean dynamic = rev != 0;
        int incompat = dynamic ? b.getInt(0x60) : 0;
        boolean is64 = (incompat & Feature.BIT64.bit()) != 0;
        byte[] uuid = new byte[16];
        b.get(0x68, uuid);
        byte[] name = new byte[16];
        b.get(0x78, name);
        return new Ext4SuperBlock(u32(b, 0x0), u32(b, 0x4) | (is64 ? u32(b, 0x150) << 32 : 0),
                u32(b, 0xC) | (is64 ? u32(b, 0x158) << 32 : 0), u32(b, 0x10), u32(b, 0x14), b.getInt(0x18), u32(b, 0x20),
                u32(b, 0x28), u16(b, 0x38), u16(b, 0x3A), rev, dynamic ? u32(b, 0x54) : 11, dynamic ? u16(b, 0x58) : 128,
                dynamic ? b.getInt(0x5C) : 0, incompat, dynamic ? b.getInt(0x64) : 0, uuid,
                name, u16(b, 0xCE), u32(b, 0xE8),
                new int[] {b.getInt(0xEC), b.getInt(0xF0), b.getInt(0xF4), b.getInt(0xF8)}, b.get(0xFC) & 0xFF,
                is64 ? u16(b, 0xFE) : 32, u32(b, 0x104), u16(b, 0x15E), b.getInt(0x160), b.get(0x175) & 0xFF,
                new long[] {u32(b, 0x24C), u32(b, 0x250)}, b.getInt(0x270), b.getInt(CHECKSUM_AT), bytes);
    }

    /**
     * Checks every field code past this point relies on, against a volume of {@code volumeSize}
     * bytes; the error names the field's byte offset in the volume.
     */
    public Ext4SuperBlock validate(long volumeSize) {
        if (magic != MAGIC) fail(0x38, "bad magic");
        if (logBlockSize < 0 || logBlockSize > MAX_LOG_BLOCK_SIZE) {
            fail(0x18, "s_log_block_size " + Integer.toUnsignedString(logBlockSize) + " (block size above 64 KiB)");
        }
        if (revLevel < 0 || revLevel > 1) fail(0x4C, "s_rev_level " + revLevel);
        int bs = blockSize();
        if (blocksCount == 0) fail(0x4, "s_blocks_count is 0");
        if (blocksCount > volumeSize / bs) {
            fail(0x4, "s_blocks_count " + blocksCount + " of " + bs + " bytes exceeds the volume (" + volumeSize + " bytes)");
        }
        if (firstDataBlock != (bs == 1024 ? 1 : 0) && firstDataBlock != 0) fail(0x14, "s_first_data_block " + firstDataBlock);
        if (firstDataBlock >= blocksCount) fail(0x14, "s_first_data_block past the last block");
        // One bitmap block covers a group (8 blocks per byte); with bigalloc, 8 clusters per byte.
        long maxPerGroup = (long) bs * 8 * (has(Feature.BIGALLOC) ? 65536 : 1);
        if (blocksPerGroup < 8 || blocksPerGroup > maxPerGroup) fail(0x20, "s_blocks_per_group " + blocksPerGroup);
        if (inodesPerGroup == 0 || inodesPerGroup > (long) bs * 8) fail(0x28, "s_inodes_per_group " + inodesPerGroup);
        long groups = groupCount();
        if (groups == 0 || groups > MAX_GROUPS) fail(0x20, "group count " + groups);
        // The kernel refuses any other count (ext4_fill_super: "inodes count not valid").
        if (inodesCount != groups * inodesPerGroup) {
            fail(0x0, "s_inodes_count " + inodesCount + " for " + groups + " groups of " + inodesPerGroup);
        }
        if (inodeSize < 128 || inodeSize > bs || Integer.bitCount(inodeSize) != 1) fail(0x58, "s_inode_size " + inodeSize);
        if (descSize < 32 || descSize > 1024 || Integer.bitCount(descSize) != 1 || (has(Feature.BIT64) && descSize < 64)) {
            fail(0xFE, "s_desc_size " + descSize);
        }
        return this;
    }

    private void fail(int field, String detail) {
        throw new CorruptImageException(typeName(), "superblock", OFFSET + field, detail);
    }

    public int blockSize() { return 1024 << logBlockSize; }

    /** s_volume_name up to its first NUL. */
    public String label() {
        int len = 0;
        while (len < volumeName.length && volumeName[len] != 0) len++;
        return new String(volumeName, 0, len, StandardCharsets.UTF_8);
    }

    /** Block groups: the blocks after s_first_data_block in groups of s_blocks_per_group. */
    public long groupCount() { return Math.ceilDiv(blocksCount - firstDataBlock, blocksPerGroup); }

    public boolean has(Feature f) {
        int word = switch (f.field()) {
            case COMPAT -> featureCompat;
            case INCOMPAT -> featureIncompat;
            case RO_COMPAT -> featureRoCompat;
        };
        return (word & f.bit()) != 0;
    }

    /** "ext4" when any feature beyond ext3's is on, "ext3" with a journal, else "ext2" (blkid's rule). */
    public String typeName() {
        int ext3Incompat = Feature.bits(Feature.Field.INCOMPAT, Feature.EXT3);
        int ext3Ro = Feature.bits(Feature.Field.RO_COMPAT, Feature.EXT3);
        if ((featureIncompat & ~ext3Incompat) != 0 || (featureRoCompat & ~ext3Ro) != 0) return "ext4";
        return has(Feature.HAS_JOURNAL) ? "ext3" : "ext2";
    }

    /** Whether group {@code g} starts with a superblock copy and descriptor table ("Block Groups", sparse_super). */
    public boolean groupHasSuper(long g) {
        if (g == 0) return true;
        if (has(Feature.SPARSE_SUPER2)) return g == backupBgs[0] || g == backupBgs[1];
        if (g <= 1 || !has(Feature.SPARSE_SUPER)) return true;
        if ((g & 1) == 0) return false;
        return isPower(g, 3) || isPower(g, 5) || isPower(g, 7);
    }

    private static boolean isPower(long g, int base) {
        long n = base;
        while (n < g) n *= base;
        return n == g;
    }

    /** Byte offset in the volume of group {@code group}'s descriptor (meta_bg keeps each block of them in its own group). */
    public long descriptorOffset(long group) {
        int perBlock = blockSize() / descSize;
        long descBlock = group / perBlock;
        long block;
        if (has(Feature.META_BG) && descBlock >= firstMetaBg) {
            long first = descBlock * perBlock;
            block = firstDataBlock + first * blocksPerGroup + (groupHasSuper(first) ? 1 : 0);
        } else {
            block = firstDataBlock + 1 + descBlock;
        }
        return block * blockSize() + (group % perBlock) * descSize;
    }

    /** Blocks of one group's inode table. */
    public long inodeTableBlocks() { return Math.ceilDiv(inodesPerGroup * inodeSize, blockSize()); }

    /** The metadata checksum seed: s_checksum_seed with metadata_csum_seed, else crc32c(~0, s_uuid). */
    public int csumSeed() {
        return has(Feature.CSUM_SEED) ? checksumSeed : Crc32c.update(~0, uuid, 0, 16);
    }

    /** True unless metadata_csum is on and s_checksum does not match the stored bytes. */
    public boolean checksumValid() {
        return !has(Feature.METADATA_CSUM) || checksum == Crc32c.update(~0, raw, 0, CHECKSUM_AT);
    }

    /** The htree hash version of new directories, with the unsigned-char variant when s_flags says so. */
    public int dxHashVersion(int stored) {
        return stored <= DxHash.TEA && (flags & FLAG_UNSIGNED_HASH) != 0 ? stored + 3 : stored;
    }

    /** The superblock with the free counts and read-only features a writer changed. */
    public Ext4SuperBlock withCounts(long blocks, long inodes, int roCompat) {
        return new Ext4SuperBlock(inodesCount, blocksCount, blocks, inodes, firstDataBlock, logBlockSize, blocksPerGroup,
                inodesPerGroup, magic, state, revLevel, firstIno, inodeSize, featureCompat, featureIncompat, roCompat,
                uuid, volumeName, reservedGdtBlocks, lastOrphan, hashSeed, defHashVersion, descSize, firstMetaBg,
                wantExtraIsize, flags, checksumType, backupBgs, checksumSeed, checksum, raw);
    }

    /** The 1024 bytes: {@code raw} with every component written over it, re-checksummed with metadata_csum. */
    public byte[] serialise() {
        byte[] out = raw.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        boolean is64 = has(Feature.BIT64);
        b.putInt(0x0, (int) inodesCount).putInt(0x4, (int) blocksCount).putInt(0xC, (int) freeBlocksCount);
        b.putInt(0x10, (int) freeInodesCount).putInt(0x14, (int) firstDataBlock).putInt(0x18, logBlockSize);
        b.putInt(0x20, (int) blocksPerGroup).putInt(0x28, (int) inodesPerGroup).putShort(0x38, (short) magic);
        b.putShort(0x3A, (short) state).putInt(0x4C, revLevel);
        if (revLevel != 0) {
            b.putInt(0x54, (int) firstIno).putShort(0x58, (short) inodeSize).putInt(0x5C, featureCompat);
            b.putInt(0x60, featureIncompat).putInt(0x64, featureRoCompat);
        }
        b.put(0x68, uuid);
        b.put(0x78, volumeName);
        b.putShort(0xCE, (short) reservedGdtBlocks).putInt(0xE8, (int) lastOrphan);
        for (int i = 0; i < 4; i++) b.putInt(0xEC + 4 * i, hashSeed[i]);
        b.put(0xFC, (byte) defHashVersion);
        if (is64) b.putShort(0xFE, (short) descSize).putInt(0x150, (int) (blocksCount >>> 32)).putInt(0x158, (int) (freeBlocksCount >>> 32));
        b.putInt(0x104, (int) firstMetaBg).putShort(0x15E, (short) wantExtraIsize).putInt(0x160, flags).put(0x175, (byte) checksumType);
        b.putInt(0x24C, (int) backupBgs[0]).putInt(0x250, (int) backupBgs[1]).putInt(0x270, checksumSeed);
        b.putInt(CHECKSUM_AT, has(Feature.METADATA_CSUM) ? Crc32c.update(~0, out, 0, CHECKSUM_AT) : checksum);
        return out;
    }

    static long u32(ByteBuffer b, int at) { return b.getInt(at) & 0xFFFFFFFFL; }

    static int u16(ByteBuffer b, int at) { return b.getShort(at) & 0xFFFF; }
}
