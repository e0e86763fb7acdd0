package io.vdetach.apply.offline.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * One on-disk inode (s_inode_size bytes) as mutable fields over its raw bytes.
 * Layout: "ext4 Data Structures and Algorithms" 4.1 (Index Nodes).
 */
public final class Ext4Inode {
    public static final int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFLNK = 0xA000,
            S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFIFO = 0x1000, S_IFSOCK = 0xC000;
    public static final int FL_INDEX = 0x1000, FL_HUGE_FILE = 0x40000, FL_EXTENTS = 0x80000,
            FL_EA_INODE = 0x200000, FL_INLINE_DATA = 0x10000000;
    /** i_block: 15 32-bit words at 0x28 (extent root, fast symlink, or device number). */
    public static final int I_BLOCK = 0x28, I_BLOCK_SIZE = 60;
    static final int GOOD_OLD_SIZE = 128;

    public final long ino;
    private final byte[] raw;
    private final ByteBuffer b;

    public Ext4Inode(long ino, byte[] raw) {
        this.ino = ino;
        this.raw = raw;
        this.b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    public byte[] raw() { return raw; }

    private long u32(int off) { return b.getInt(off) & 0xFFFFFFFFL; }

    public int mode() { return b.getShort(0x0) & 0xFFFF; }

    public void setMode(int m) { b.putShort(0x0, (short) m); }

    public long uid() { return (b.getShort(0x2) & 0xFFFFL) | (b.getShort(0x78) & 0xFFFFL) << 16; }

    public void setUid(long v) {
        b.putShort(0x2, (short) v);
        b.putShort(0x78, (short) (v >>> 16));
    }

    public void setGid(long v) {
        b.putShort(0x18, (short) v);
        b.putShort(0x7A, (short) (v >>> 16));
    }

    public long size() { return u32(0x4) | u32(0x6C) << 32; }

    public void setSize(long v) {
        b.putInt(0x4, (int) v);
        b.putInt(0x6C, (int) (v >>> 32));
    }

    public int linksCount() { return b.getShort(0x1A) & 0xFFFF; }

    public void setLinksCount(int n) { b.putShort(0x1A, (short) n); }

    public void setDtime(long t) { b.putInt(0x14, (int) t); }

    /** i_blocks in 512-byte units (huge_file without FL_HUGE_FILE; we never set that flag). */
    public long blocks512() { return u32(0x1C) | (b.getShort(0x74) & 0xFFFFL) << 32; }

    public void setBlocks512(long v) {
        b.putInt(0x1C, (int) v);
        b.putShort(0x74, (short) (v >>> 32));
    }

    public int flags() { return b.getInt(0x20); }

    public void setFlags(int f) { b.putInt(0x20, f); }

    public int generation() { return b.getInt(0x64); }

    public void setGeneration(int g) { b.putInt(0x64, g); }

    public long fileAcl() { return u32(0x68) | (b.getShort(0x76) & 0xFFFFL) << 32; }

    public void setFileAcl(long blk) {
        b.putInt(0x68, (int) blk);
        b.putShort(0x76, (short) (blk >>> 32));
    }

    public int extraIsize() { return raw.length > GOOD_OLD_SIZE ? b.getShort(0x80) & 0xFFFF : 0; }

    public void setExtraIsize(int n) { if (raw.length > GOOD_OLD_SIZE) b.putShort(0x80, (short) n); }

    public byte[] iBlock() {
        byte[] r = new byte[I_BLOCK_SIZE];
        System.arraycopy(raw, I_BLOCK, r, 0, I_BLOCK_SIZE);
        return r;
    }

    public void setIBlock(byte[] v) {
        java.util.Arrays.fill(raw, I_BLOCK, I_BLOCK + I_BLOCK_SIZE, (byte) 0);
        System.arraycopy(v, 0, raw, I_BLOCK, Math.min(v.length, I_BLOCK_SIZE));
    }

    public void setTimes(Instant atime, Instant ctime, Instant mtime, Instant crtime) {
        setTime(0x8, 0x8C, atime);
        setTime(0xC, 0x84, ctime);
        setTime(0x10, 0x88, mtime);
        setTime(0x90, 0x94, crtime);
    }

    public void setMtimeCtime(Instant t) {
        setTime(0xC, 0x84, t);
        setTime(0x10, 0x88, t);
    }

    /**
     * 4.1.1 (Inode Timestamps): the 32-bit field holds the low bits of the signed seconds; the
     * _extra field holds two epoch bits (seconds bits 32–33) and the nanoseconds shifted by 2.
     */
    private void setTime(int off, int extraOff, Instant t) {
        if (t == null) t = Instant.EPOCH;
        long s = t.getEpochSecond();
        if (off >= GOOD_OLD_SIZE && !fits(extraOff)) return;
        b.putInt(off, (int) s);
        if (fits(extraOff)) {
            long epoch = ((s - (int) s) >> 32) & 3;
            b.putInt(extraOff, (int) (epoch | ((long) t.getNano() << 2)));
        }
    }

    /** True when a field at {@code off} (in the extra area) lies inside i_extra_isize. */
    boolean fits(int off) { return off + 4 <= GOOD_OLD_SIZE + extraIsize() && off + 4 <= raw.length; }

    /** The per-inode checksum seed: crc32c(crc32c(fs seed, inode number), generation) (4.1, i_checksum). */
    public int csumSeed(int fsSeed) {
        return Crc32c.updateInt(Crc32c.updateInt(fsSeed, (int) ino), generation());
    }

    /** Recomputes i_checksum_lo/hi over the whole inode with both fields zero. */
    public void updateChecksum(int fsSeed) {
        boolean hi = raw.length > GOOD_OLD_SIZE && extraIsize() >= 4;
        b.putShort(0x7C, (short) 0);
        if (hi) b.putShort(0x82, (short) 0);
        int c = Crc32c.update(csumSeed(fsSeed), raw, 0, raw.length);
        b.putShort(0x7C, (short) c);
        if (hi) b.putShort(0x82, (short) (c >>> 16));
    }

    public boolean checksumValid(int fsSeed) {
        boolean hi = raw.length > GOOD_OLD_SIZE && extraIsize() >= 4;
        int stored = (b.getShort(0x7C) & 0xFFFF) | (hi ? (b.getShort(0x82) & 0xFFFF) << 16 : 0);
        byte[] copy = raw.clone();
        Ext4Inode c = new Ext4Inode(ino, copy);
        c.updateChecksum(fsSeed);
        ByteBuffer cb = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        int computed = (cb.getShort(0x7C) & 0xFFFF) | (hi ? (cb.getShort(0x82) & 0xFFFF) << 16 : 0);
        return stored == computed;
    }
}
