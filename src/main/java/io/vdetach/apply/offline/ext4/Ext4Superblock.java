package io.vdetach.apply.offline.ext4;

import io.vdetach.error.HostException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The ext4 superblock (1024 bytes at byte 1024 of the device), kept as its raw bytes so the
 * writer changes only the fields it means to (free counts, features) and re-checksums.
 * Field offsets: kernel.org "ext4 Data Structures and Algorithms", section 3.1 (Super Block).
 */
public final class Ext4Superblock {
    public static final int OFFSET = 1024;
    public static final int SIZE = 1024;
    static final int MAGIC = 0xEF53;

    // s_feature_compat (3.1, "Compatible feature set flags")
    public static final int COMPAT_HAS_JOURNAL = 0x4, COMPAT_EXT_ATTR = 0x8, COMPAT_RESIZE_INODE = 0x10,
            COMPAT_DIR_INDEX = 0x20, COMPAT_SPARSE_SUPER2 = 0x200, COMPAT_ORPHAN_FILE = 0x1000;
    // s_feature_incompat
    public static final int INCOMPAT_FILETYPE = 0x2, INCOMPAT_RECOVER = 0x4, INCOMPAT_META_BG = 0x10,
            INCOMPAT_EXTENTS = 0x40, INCOMPAT_64BIT = 0x80, INCOMPAT_MMP = 0x100, INCOMPAT_FLEX_BG = 0x200,
            INCOMPAT_CSUM_SEED = 0x2000, INCOMPAT_LARGEDIR = 0x4000, INCOMPAT_INLINE_DATA = 0x8000,
            INCOMPAT_ENCRYPT = 0x10000, INCOMPAT_CASEFOLD = 0x20000;
    // s_feature_ro_compat
    public static final int RO_SPARSE_SUPER = 0x1, RO_LARGE_FILE = 0x2, RO_HUGE_FILE = 0x8, RO_GDT_CSUM = 0x10,
            RO_DIR_NLINK = 0x20, RO_EXTRA_ISIZE = 0x40, RO_QUOTA = 0x100, RO_BIGALLOC = 0x200,
            RO_METADATA_CSUM = 0x400, RO_VERITY = 0x8000, RO_ORPHAN_PRESENT = 0x10000;

    private final byte[] raw;
    private final ByteBuffer b;

    private Ext4Superblock(byte[] raw) {
        this.raw = raw;
        this.b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Parses and sanity-checks the superblock; a device that is not ext4 is a host error (exit 4). */
    public static Ext4Superblock parse(byte[] sb1024, String device) {
        Ext4Superblock s = new Ext4Superblock(sb1024.clone());
        if (s.u16(0x38) != MAGIC) throw new HostException(device + " holds no ext2/3/4 filesystem (no superblock magic at byte 1080)");
        int log = s.b.getInt(0x18);
        // 3.1: block size = 2 ^ (10 + s_log_block_size); ext4 allows 1 KiB .. 64 KiB
        if (log < 0 || log > 6) throw new HostException(device + ": ext4 superblock has block size exponent " + log);
        if (s.inodesPerGroup() <= 0 || s.blocksPerGroup() <= 0 || s.blocksPerGroup() > s.blockSize() * 8
                || s.inodesPerGroup() > s.blockSize() * 8 || s.inodeSize() < 128 || s.inodeSize() > s.blockSize()
                || Integer.bitCount(s.inodeSize()) != 1 || s.blocksCount() <= s.firstDataBlock()) {
            throw new HostException(device + ": ext4 superblock geometry is inconsistent");
        }
        if (s.is64bit() && (s.descSize() < 64 || s.descSize() > 1024 || Integer.bitCount(s.descSize()) != 1)) {
            throw new HostException(device + ": ext4 superblock has descriptor size " + s.descSize());
        }
        return s;
    }

    public byte[] raw() { return raw; }

    int u16(int off) { return b.getShort(off) & 0xFFFF; }

    long u32(int off) { return b.getInt(off) & 0xFFFFFFFFL; }

    public long inodesCount() { return u32(0x0); }

    public long blocksCount() { return u32(0x4) | (is64bit() ? u32(0x150) << 32 : 0); }

    public long freeBlocks() { return u32(0xC) | (is64bit() ? u32(0x158) << 32 : 0); }

    public void setFreeBlocks(long v) {
        b.putInt(0xC, (int) v);
        if (is64bit()) b.putInt(0x158, (int) (v >>> 32));
    }

    public long freeInodes() { return u32(0x10); }

    public void setFreeInodes(long v) { b.putInt(0x10, (int) v); }

    public long firstDataBlock() { return u32(0x14); }

    public int blockSize() { return 1024 << b.getInt(0x18); }

    public int blocksPerGroup() { return b.getInt(0x20); }

    public int inodesPerGroup() { return b.getInt(0x28); }

    /** s_state: 1 = cleanly unmounted, 2 = errors detected, 4 = orphans being recovered. */
    public int state() { return u16(0x3A); }

    public int revLevel() { return b.getInt(0x4C); }

    public long firstIno() { return revLevel() == 0 ? 11 : u32(0x54); }

    public int inodeSize() { return revLevel() == 0 ? 128 : u16(0x58); }

    public int compat() { return b.getInt(0x5C); }

    public int incompat() { return b.getInt(0x60); }

    public int roCompat() { return b.getInt(0x64); }

    public void setRoCompat(int v) { b.putInt(0x64, v); }

    public byte[] uuid() {
        byte[] u = new byte[16];
        System.arraycopy(raw, 0x68, u, 0, 16);
        return u;
    }

    public int reservedGdtBlocks() { return (compat() & COMPAT_RESIZE_INODE) != 0 ? u16(0xCE) : 0; }

    public int descSize() { return is64bit() ? u16(0xFE) : 32; }

    public long lastOrphan() { return u32(0xE8); }

    public int wantExtraIsize() { return u16(0x15E); }

    public int logGroupsPerFlex() { return raw[0x174] & 0xFF; }

    public long backupBg(int i) { return u32(0x24C + 4 * i); }

    public boolean is64bit() { return (incompat() & INCOMPAT_64BIT) != 0; }

    public boolean metadataCsum() { return (roCompat() & RO_METADATA_CSUM) != 0; }

    public boolean gdtCsum() { return (roCompat() & RO_GDT_CSUM) != 0; }

    public boolean hasFeature(int compatBits, int incompatBits, int roBits) {
        return (compat() & compatBits) != 0 || (incompat() & incompatBits) != 0 || (roCompat() & roBits) != 0;
    }

    /** The metadata checksum seed: s_checksum_seed with csum_seed, else crc32c(~0, uuid) (3.1, s_checksum_seed). */
    public int csumSeed() {
        if ((incompat() & INCOMPAT_CSUM_SEED) != 0) return b.getInt(0x270);
        return Crc32c.update(~0, raw, 0x68, 16);
    }

    public long groupCount() {
        return Math.ceilDiv(blocksCount() - firstDataBlock(), blocksPerGroup());
    }

    /** Recomputes s_checksum (crc32c(~0, bytes before it)) when metadata_csum is on. */
    public void updateChecksum() {
        if (metadataCsum()) b.putInt(0x3FC, Crc32c.update(~0, raw, 0, 0x3FC));
    }

    public boolean checksumValid() {
        return !metadataCsum() || b.getInt(0x3FC) == Crc32c.update(~0, raw, 0, 0x3FC);
    }
}
