package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * ext4_inode: s_inode_size bytes in its group's inode table. Ext4 disk layout, "Index Nodes".
 * The components are the fields vdetach interprets, in disk order, lo/hi halves joined (the hi
 * words live in osd2 and the extra area); {@code raw} keeps every byte, so {@link #serialise}
 * changes nothing else. Fields of the extra area exist only where i_extra_isize covers them.
 *
 * @param number the inode number (not stored; part of the checksum seed)
 * @param offset where the inode lies in the volume, for messages; -1 for a new one
 * @param uid i_uid, and l_i_uid_high at 0x78
 * @param size i_size_lo, and i_size_high at 0x6C
 * @param blocks i_blocks_lo and l_i_blocks_high at 0x74, as stored (see {@link #blocks512})
 * @param block i_block: 60 bytes of block map, extent root, inline data, fast symlink or device number
 * @param fileAcl i_file_acl_lo and l_i_file_acl_high at 0x76: the xattr block
 * @param crtime i_crtime and its extra word; null where i_extra_isize does not cover it
 */
public record Ext4Inode(long number, long offset, int mode, long uid, long size, Time atime, Time ctime, Time mtime,
                        int dtime, long gid, int linksCount, long blocks, int flags, byte[] block, int generation,
                        long fileAcl, int extraIsize, Time crtime, byte[] raw) {

    public static final int GOOD_OLD_SIZE = 128;
    /** i_block: 15 32-bit words. */
    public static final int BLOCK_BYTES = 60;
    static final int I_BLOCK = 0x28;

    // i_mode file types
    public static final int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFLNK = 0xA000,
            S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFIFO = 0x1000, S_IFSOCK = 0xC000;
    // i_flags
    public static final int INDEX_FL = 0x1000, ENCRYPT_FL = 0x800, HUGE_FILE_FL = 0x40000, EXTENTS_FL = 0x80000,
            VERITY_FL = 0x100000, EA_INODE_FL = 0x200000, INLINE_DATA_FL = 0x10000000;

    /**
     * An inode timestamp: seconds (signed 32-bit) and the _extra word, which holds 2 epoch bits
     * (added above bit 31 of the sign-extended seconds, as the kernel does) and 30 bits of
     * nanoseconds ("Inode Timestamps"). {@code extra} is 0 where the inode has no room for it.
     */
    public record Time(int seconds, int extra) {
        public Instant instant() {
            long s = seconds + ((long) (extra & 3) << 32);
            return Instant.ofEpochSecond(s, Math.min(extra >>> 2, 999_999_999));
        }

        public static Time of(Instant t) {
            long s = t.getEpochSecond();
            long epoch = ((s - (int) s) >> 32) & 3;
            return new Time((int) s, (int) (epoch | ((long) t.getNano() << 2)));
        }
    }

    /**
     * Parses the inode at {@code at} of {@code b} and validates it; with {@code verify} an inode
     * in use must also match its checksum (metadata_csum).
     */
    public static Ext4Inode parse(ByteBuffer src, int at, long number, long offset, Ext4SuperBlock sb, boolean verify) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int isize = sb.inodeSize();
        byte[] raw = new byte[isize];
        b.get(at, raw);
        ByteBuffer r = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        String fs = sb.typeName();
        int extraIsize = isize > GOOD_OLD_SIZE ? r.getShort(0x80) & 0xFFFF : 0;
        if (extraIsize > isize - GOOD_OLD_SIZE || (extraIsize & 3) != 0) {
            throw new CorruptImageException(fs, "inode " + number, offset + 0x80,
                    "i_extra_isize " + extraIsize + " for " + isize + "-byte inodes");
        }
        int end = GOOD_OLD_SIZE + extraIsize;
        long size = u32(r, 0x4) | u32(r, 0x6C) << 32;
        if (size < 0) throw new CorruptImageException(fs, "inode " + number, offset + 0x6C, "size above 2^63");
        byte[] block = new byte[BLOCK_BYTES];
        r.get(I_BLOCK, block);
        Ext4Inode ino = new Ext4Inode(number, offset, r.getShort(0) & 0xFFFF, (r.getShort(0x2) & 0xFFFFL) | (r.getShort(0x78) & 0xFFFFL) << 16,
                size, time(r, 0x8, 0x8C, end), time(r, 0xC, 0x84, end), time(r, 0x10, 0x88, end), r.getInt(0x14),
                (r.getShort(0x18) & 0xFFFFL) | (r.getShort(0x7A) & 0xFFFFL) << 16, r.getShort(0x1A) & 0xFFFF,
                u32(r, 0x1C) | (r.getShort(0x74) & 0xFFFFL) << 32, r.getInt(0x20), block, r.getInt(0x64),
                u32(r, 0x68) | (r.getShort(0x76) & 0xFFFFL) << 32, extraIsize, end >= 0x94 ? time(r, 0x90, 0x94, end) : null, raw);
        if (verify && ino.linksCount != 0 && sb.has(Feature.METADATA_CSUM) && ino.storedChecksum() != ino.checksum(sb, raw)) {
            throw new CorruptImageException(fs, "inode " + number, offset + 0x7C, "checksum mismatch");
        }
        return ino;
    }

    private static Time time(ByteBuffer r, int field, int extraField, int end) {
        return new Time(r.getInt(field), extraField + 4 <= end ? r.getInt(extraField) : 0);
    }

    private static long u32(ByteBuffer b, int at) { return b.getInt(at) & 0xFFFFFFFFL; }

    /** A zeroed inode of {@code sb}'s size with i_extra_isize as the filesystem wants it. */
    public static Ext4Inode fresh(long number, Ext4SuperBlock sb) {
        int extra = 0;
        if (sb.inodeSize() > GOOD_OLD_SIZE) {
            extra = sb.wantExtraIsize();
            if (extra < 32 || GOOD_OLD_SIZE + extra > sb.inodeSize()) extra = Math.min(32, sb.inodeSize() - GOOD_OLD_SIZE);
        }
        Time zero = new Time(0, 0);
        return new Ext4Inode(number, -1, 0, 0, 0, zero, zero, zero, 0, 0, 0, 0, 0, new byte[BLOCK_BYTES], 0, 0, extra,
                GOOD_OLD_SIZE + extra >= 0x94 ? zero : null, new byte[sb.inodeSize()]);
    }

    /** A new inode's identity, owner and times. */
    public Ext4Inode withOwner(int newMode, long newUid, long newGid, int newGeneration, Instant a, Instant c, Instant m, Instant cr) {
        return new Ext4Inode(number, offset, newMode, newUid, size, Time.of(a), Time.of(c), Time.of(m), dtime, newGid,
                linksCount, blocks, flags, block, newGeneration, fileAcl, extraIsize, crtime == null ? null : Time.of(cr), raw);
    }

    public Ext4Inode withLinksCount(int n) {
        return new Ext4Inode(number, offset, mode, uid, size, atime, ctime, mtime, dtime, gid, n, blocks, flags, block,
                generation, fileAcl, extraIsize, crtime, raw);
    }

    /** i_ctime and i_mtime set to {@code t} (a directory whose entries changed). */
    public Ext4Inode withChanged(Instant t) {
        return new Ext4Inode(number, offset, mode, uid, size, atime, Time.of(t), Time.of(t), dtime, gid, linksCount, blocks,
                flags, block, generation, fileAcl, extraIsize, crtime, raw);
    }

    /** New data: i_flags, i_block, i_size and i_blocks (in 512-byte units). */
    public Ext4Inode withData(int newFlags, byte[] newBlock, long newSize, long newBlocks) {
        return new Ext4Inode(number, offset, mode, uid, newSize, atime, ctime, mtime, dtime, gid, linksCount, newBlocks,
                newFlags, newBlock.clone(), generation, fileAcl, extraIsize, crtime, raw);
    }

    /** Extended attributes: the in-inode area ({@link #ibody()}'s bytes) and the xattr block. */
    public Ext4Inode withXattrs(byte[] ibody, long newFileAcl) {
        byte[] r = raw.clone();
        System.arraycopy(ibody, 0, r, GOOD_OLD_SIZE + extraIsize, r.length - GOOD_OLD_SIZE - extraIsize);
        return new Ext4Inode(number, offset, mode, uid, size, atime, ctime, mtime, dtime, gid, linksCount, blocks, flags,
                block, generation, newFileAcl, extraIsize, crtime, r);
    }

    /** Deleted at {@code when}: no links, no data, no xattr block (what e2fsck expects of a freed inode). */
    public Ext4Inode deleted(int when, byte[] emptyBlock) {
        return new Ext4Inode(number, offset, mode, uid, 0, atime, ctime, mtime, when, gid, 0, 0, flags, emptyBlock.clone(),
                generation, 0, extraIsize, crtime, raw);
    }

    public boolean hasFlag(int flag) { return (flags & flag) != 0; }

    public int fileType() { return mode & S_IFMT; }

    /** i_blocks in 512-byte units: with huge_file the high word counts, and HUGE_FILE_FL makes them filesystem blocks. */
    public long blocks512(Ext4SuperBlock sb) {
        if (!sb.has(Feature.HUGE_FILE)) return blocks & 0xFFFFFFFFL;
        return hasFlag(HUGE_FILE_FL) ? blocks * (sb.blockSize() / 512) : blocks;
    }

    /** The bytes after i_extra_isize: the in-inode xattr area (empty for 128-byte inodes). */
    public byte[] ibody() {
        return java.util.Arrays.copyOfRange(raw, GOOD_OLD_SIZE + extraIsize, raw.length);
    }

    /** Byte offset of {@link #ibody()} in the inode. */
    public int ibodyOffset() { return GOOD_OLD_SIZE + extraIsize; }

    /** Word {@code i} of i_block. */
    public long blockWord(int i) {
        return ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getInt(4 * i) & 0xFFFFFFFFL;
    }

    /** A device number. */
    public record Device(long major, long minor) {}

    /** A device inode's number: the old 8:8 encoding in word 0, else the new one in word 1 (i_block for devices). */
    public Device device() {
        long old = blockWord(0);
        if (old != 0) return new Device((old >> 8) & 0xFF, old & 0xFF);
        long dev = blockWord(1);
        return new Device((dev & 0xFFF00) >> 8, (dev & 0xFF) | ((dev >> 12) & 0xFFF00));
    }

    /** i_block for a device: the old encoding when both numbers are below 256, else the new one. */
    public static byte[] deviceBlock(long major, long minor) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        if (major < 256 && minor < 256) b.putInt(0, (int) (major << 8 | minor));
        else b.putInt(4, (int) ((minor & 0xFF) | (major << 8) | ((minor & ~0xFFL) << 12)));
        return b.array();
    }

    /** The per-inode checksum seed: crc32c(crc32c(fs seed, inode number), generation) (i_checksum). */
    public int csumSeed(Ext4SuperBlock sb) {
        return Crc32c.updateInt(Crc32c.updateInt(sb.csumSeed(), (int) number), generation);
    }

    /** i_checksum_hi is stored when i_extra_isize covers it. */
    private boolean checksumHi() { return extraIsize >= 4; }

    private int storedChecksum() {
        ByteBuffer r = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return (r.getShort(0x7C) & 0xFFFF) | (checksumHi() ? (r.getShort(0x82) & 0xFFFF) << 16 : 0);
    }

    /** crc32c over the whole inode with both checksum fields taken as zero. */
    private int checksum(Ext4SuperBlock sb, byte[] bytes) {
        byte[] copy = bytes.clone();
        copy[0x7C] = copy[0x7D] = 0;
        if (checksumHi()) copy[0x82] = copy[0x83] = 0;
        int c = Crc32c.update(csumSeed(sb), copy, 0, copy.length);
        return checksumHi() ? c : c & 0xFFFF;
    }

    /** The inode's s_inode_size bytes, with i_checksum recomputed when metadata_csum is on. */
    public byte[] serialise(Ext4SuperBlock sb) {
        byte[] out = raw.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int end = GOOD_OLD_SIZE + extraIsize;
        b.putShort(0x0, (short) mode).putShort(0x2, (short) uid).putInt(0x4, (int) size).putInt(0x8, atime.seconds());
        b.putInt(0xC, ctime.seconds()).putInt(0x10, mtime.seconds()).putInt(0x14, dtime).putShort(0x18, (short) gid);
        b.putShort(0x1A, (short) linksCount).putInt(0x1C, (int) blocks).putInt(0x20, flags).put(I_BLOCK, block);
        b.putInt(0x64, generation).putInt(0x68, (int) fileAcl).putInt(0x6C, (int) (size >>> 32));
        b.putShort(0x74, (short) (blocks >>> 32)).putShort(0x76, (short) (fileAcl >>> 32));
        b.putShort(0x78, (short) (uid >>> 16)).putShort(0x7A, (short) (gid >>> 16));
        if (out.length > GOOD_OLD_SIZE) b.putShort(0x80, (short) extraIsize);
        if (end >= 0x88) b.putInt(0x84, ctime.extra());
        if (end >= 0x8C) b.putInt(0x88, mtime.extra());
        if (end >= 0x90) b.putInt(0x8C, atime.extra());
        if (end >= 0x94 && crtime != null) b.putInt(0x90, crtime.seconds());
        if (end >= 0x98 && crtime != null) b.putInt(0x94, crtime.extra());
        if (sb.has(Feature.METADATA_CSUM)) {
            int c = checksum(sb, out);
            b.putShort(0x7C, (short) c);
            if (checksumHi()) b.putShort(0x82, (short) (c >>> 16));
        }
        return out;
    }
}
