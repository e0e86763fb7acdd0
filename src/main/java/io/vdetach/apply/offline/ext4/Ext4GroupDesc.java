package io.vdetach.apply.offline.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One block group descriptor (32 bytes, or s_desc_size with 64bit), as mutable fields; the
 * writer changes free counts, flags and bitmap checksums, then {@link #write}s it back.
 * Layout: "ext4 Data Structures and Algorithms" 3.4 (Block Group Descriptors).
 */
public final class Ext4GroupDesc {
    public static final int INODE_UNINIT = 0x1, BLOCK_UNINIT = 0x2, INODE_ZEROED = 0x4;

    public final int group;
    private final byte[] raw;
    private final ByteBuffer b;
    private final boolean wide;

    private Ext4GroupDesc(int group, byte[] raw, boolean wide) {
        this.group = group;
        this.raw = raw;
        this.b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        this.wide = wide;
    }

    public static Ext4GroupDesc parse(int group, byte[] gdt, int off, int descSize) {
        byte[] r = new byte[descSize];
        System.arraycopy(gdt, off, r, 0, descSize);
        return new Ext4GroupDesc(group, r, descSize >= 64);
    }

    private long lohi32(int lo, int hi) { return (b.getInt(lo) & 0xFFFFFFFFL) | (wide ? (b.getInt(hi) & 0xFFFFFFFFL) << 32 : 0); }

    private long lohi16(int lo, int hi) { return (b.getShort(lo) & 0xFFFFL) | (wide ? (b.getShort(hi) & 0xFFFFL) << 16 : 0); }

    private void setLohi16(int lo, int hi, long v) {
        b.putShort(lo, (short) v);
        if (wide) b.putShort(hi, (short) (v >>> 16));
    }

    public long blockBitmap() { return lohi32(0x0, 0x20); }

    public long inodeBitmap() { return lohi32(0x4, 0x24); }

    public long inodeTable() { return lohi32(0x8, 0x28); }

    public long freeBlocks() { return lohi16(0xC, 0x2C); }

    public void setFreeBlocks(long v) { setLohi16(0xC, 0x2C, v); }

    public long freeInodes() { return lohi16(0xE, 0x2E); }

    public void setFreeInodes(long v) { setLohi16(0xE, 0x2E, v); }

    public long usedDirs() { return lohi16(0x10, 0x30); }

    public void setUsedDirs(long v) { setLohi16(0x10, 0x30, v); }

    public int flags() { return b.getShort(0x12) & 0xFFFF; }

    public void setFlags(int f) { b.putShort(0x12, (short) f); }

    public long itableUnused() { return lohi16(0x1C, 0x32); }

    public void setItableUnused(long v) { setLohi16(0x1C, 0x32, v); }

    /** Stores a bitmap checksum: low 16 bits always, high 16 bits when the descriptor is wide (3.4). */
    public void setBlockBitmapCsum(int c) {
        b.putShort(0x18, (short) c);
        if (wide) b.putShort(0x38, (short) (c >>> 16));
    }

    public void setInodeBitmapCsum(int c) {
        b.putShort(0x1A, (short) c);
        if (wide) b.putShort(0x3A, (short) (c >>> 16));
    }

    public int checksum() { return b.getShort(0x1E) & 0xFFFF; }

    /**
     * bg_checksum (3.4): with metadata_csum the low 16 bits of crc32c(seed, group, descriptor
     * without the field); with gdt_csum crc16(~0, uuid, group, descriptor without the field).
     */
    public int computeChecksum(Ext4Superblock sb) {
        byte[] g = {(byte) group, (byte) (group >>> 8), (byte) (group >>> 16), (byte) (group >>> 24)};
        if (sb.metadataCsum()) {
            int c = Crc32c.update(sb.csumSeed(), g, 0, 4);
            c = Crc32c.update(c, raw, 0, 0x1E);
            c = Crc32c.update(c, new byte[2], 0, 2);
            c = Crc32c.update(c, raw, 0x20, raw.length - 0x20);
            return c & 0xFFFF;
        }
        if (sb.gdtCsum()) {
            int c = Crc16.update(0xFFFF, sb.uuid(), 0, 16);
            c = Crc16.update(c, g, 0, 4);
            c = Crc16.update(c, raw, 0, 0x1E);
            if (raw.length > 0x20) c = Crc16.update(c, raw, 0x20, raw.length - 0x20);
            return c;
        }
        return 0;
    }

    /** Recomputes the checksum and copies the descriptor into {@code gdt} at {@code off}. */
    public void write(Ext4Superblock sb, byte[] gdt, int off) {
        b.putShort(0x1E, (short) computeChecksum(sb));
        System.arraycopy(raw, 0, gdt, off, raw.length);
    }
}
