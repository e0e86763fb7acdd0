package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * One on-disk inode, xfs_dinode (XFS Algorithms &amp; Data Structures, "On-disk Inode"):
 * the core, then the data fork, then the attribute fork at {@code forkoff * 8}. Version 1
 * and 2 inodes have a 100-byte core; version 3 (v5 filesystems) a 176-byte one.
 *
 * @param raw the whole inode, big-endian; forks are read from it by offset
 */
public record XfsDinode(long ino, long at, int mode, int version, int format, long uid, long gid, long nlink,
                        Instant atime, Instant mtime, Instant ctime, Instant crtime, long size,
                        long nextents, long anextents, int aformat, int flags, long flags2,
                        int dataForkOffset, int dataForkSize, int attrForkOffset, int attrForkSize,
                        ByteBuffer raw) {

    static final int FMT_DEV = 0, FMT_LOCAL = 1, FMT_EXTENTS = 2, FMT_BTREE = 3;
    private static final int MAGIC = 0x494e; // "IN"
    /** di_flags2: timestamps are 64-bit nanoseconds since 1901 (the bigtime feature). */
    private static final long DIFLAG2_BIGTIME = 1L << 3;
    /** di_flags2: 64-bit data extent counter at offset 24, 32-bit attr counter at 76. */
    private static final long DIFLAG2_NREXT64 = 1L << 4;
    /** di_flags: file data lives on the realtime device. */
    static final int DIFLAG_REALTIME = 0x1;
    /** Seconds between 1901-12-13T20:45:52Z (bigtime zero) and the Unix epoch. */
    private static final long BIGTIME_EPOCH_OFFSET = 1L << 31;

    public static XfsDinode parse(ByteBuffer rawIn, long ino, long off, XfsSuperblock sb) {
        ByteBuffer b = rawIn.duplicate().order(ByteOrder.BIG_ENDIAN);
        if ((b.getShort(0) & 0xffff) != MAGIC) throw bad(ino, off, "magic is not IN");
        int mode = b.getShort(2) & 0xffff;
        int version = b.get(4) & 0xff;
        int format = b.get(5) & 0xff;
        if (version < 1 || version > 3 || (version == 3) != sb.isV5()) throw bad(ino, off, "inode version " + version);
        long nlink = version == 1 ? b.getShort(6) & 0xffff : b.getInt(16) & 0xffffffffL;
        long uid = b.getInt(8) & 0xffffffffL;
        long gid = b.getInt(12) & 0xffffffffL;
        long flags2 = version == 3 ? b.getLong(120) : 0;
        boolean bigtime = (flags2 & DIFLAG2_BIGTIME) != 0;
        long size = b.getLong(56);
        if (size < 0) throw bad(ino, off, "negative size " + size);
        boolean nrext64 = (flags2 & DIFLAG2_NREXT64) != 0;
        long nextents = nrext64 ? b.getLong(24) : b.getInt(76) & 0xffffffffL;
        long anextents = nrext64 ? b.getInt(76) & 0xffffffffL : b.getShort(80) & 0xffff;
        if (nextents < 0) throw bad(ino, off, "extent count");
        int forkoff = b.get(82) & 0xff;
        int aformat = b.get(83);
        int flags = b.getShort(90) & 0xffff;
        if (version == 3 && b.getLong(152) != ino) throw bad(ino, off, "inode records number " + b.getLong(152));
        int literal = version == 3 ? 176 : 100;
        int literalSize = sb.inodeSize() - literal;
        int dataSize = forkoff == 0 ? literalSize : forkoff * 8;
        if (dataSize > literalSize) throw bad(ino, off, "attribute fork offset " + forkoff * 8 + " beyond the inode");
        int attrOff = forkoff == 0 ? 0 : literal + forkoff * 8;
        int attrSize = forkoff == 0 ? 0 : literalSize - forkoff * 8;
        Instant crtime = version == 3 ? time(b, 144, bigtime) : null;
        return new XfsDinode(ino, off, mode, version, format, uid, gid, nlink,
                time(b, 32, bigtime), time(b, 40, bigtime), time(b, 48, bigtime), crtime, size,
                nextents, anextents, aformat, flags, flags2, literal, dataSize, attrOff, attrSize, b);
    }

    /** xfs_timestamp: seconds and nanoseconds, or with bigtime one count of ns since 1901. */
    private static Instant time(ByteBuffer b, int at, boolean bigtime) {
        if (bigtime) {
            long ns = b.getLong(at);
            return Instant.ofEpochSecond(Long.divideUnsigned(ns, 1_000_000_000L) - BIGTIME_EPOCH_OFFSET,
                    Long.remainderUnsigned(ns, 1_000_000_000L));
        }
        return Instant.ofEpochSecond(b.getInt(at), Integer.toUnsignedLong(b.getInt(at + 4)) % 1_000_000_000L);
    }

    /** The data fork's bytes, big-endian. */
    ByteBuffer dataFork() {
        return raw.duplicate().position(dataForkOffset).limit(dataForkOffset + dataForkSize).slice().order(ByteOrder.BIG_ENDIAN);
    }

    /** The attribute fork's bytes (empty when there is none). */
    ByteBuffer attrFork() {
        return raw.duplicate().position(attrForkOffset).limit(attrForkOffset + attrForkSize).slice().order(ByteOrder.BIG_ENDIAN);
    }

    int fileType() { return mode & 0170000; }

    static CorruptImageException bad(long ino, long off, String detail) {
        return new CorruptImageException("xfs", "inode " + ino, off, detail);
    }
}
