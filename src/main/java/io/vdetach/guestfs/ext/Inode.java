package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.guestfs.EntryType;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * An on-disk inode as stored (ext4 disk layout, "Index Nodes"), with its timestamps decoded.
 * {@code extra} holds the bytes after the 128-byte base and i_extra_isize (the in-inode xattr
 * area), empty when there are none.
 */
record Inode(long number, long offset, int rawMode, long uid, long gid, long size, int links, long blocks512,
             int flags, byte[] block, long fileAcl, Instant atime, Instant ctime, Instant mtime, Instant btime,
             byte[] extra, int extraOffset) {

    static final int GOOD_OLD_SIZE = 128;
    /** i_block: 15 32-bit words (block map, extent root, inline data, fast symlink). */
    static final int BLOCK_BYTES = 60;

    // i_flags
    static final int COMPR_FL = 0x4;
    static final int INDEX_FL = 0x1000;
    static final int ENCRYPT_FL = 0x800;
    static final int HUGE_FILE_FL = 0x40000;
    static final int EXTENTS_FL = 0x80000;
    static final int VERITY_FL = 0x100000;
    static final int EA_INODE_FL = 0x200000;
    static final int INLINE_DATA_FL = 0x10000000;
    static final int CASEFOLD_FL = 0x40000000;

    /** Parses {@code sb.inodeSize()} bytes at {@code at} of {@code b} (little-endian). */
    static Inode parse(ByteBuffer b, int at, long number, long offset, Superblock sb) {
        int mode = b.getShort(at) & 0xffff;
        long uid = (b.getShort(at + 0x2) & 0xffff) | (long) (b.getShort(at + 0x78) & 0xffff) << 16;
        long gid = (b.getShort(at + 0x18) & 0xffff) | (long) (b.getShort(at + 0x7A) & 0xffff) << 16;
        long size = Superblock.u32(b, at + 0x4) | Superblock.u32(b, at + 0x6C) << 32;
        if (size < 0) throw new CorruptImageException(sb.typeName(), "inode " + number, offset + 0x6C, "size above 2^63");
        int links = b.getShort(at + 0x1A) & 0xffff;
        int flags = b.getInt(at + 0x20);
        long blocks = Superblock.u32(b, at + 0x1C);
        if (sb.hasRoCompat(Features.RO_COMPAT_HUGE_FILE)) {
            blocks |= (long) (b.getShort(at + 0x74) & 0xffff) << 32;
            // With HUGE_FILE_FL, i_blocks counts filesystem blocks, not 512-byte sectors.
            if ((flags & HUGE_FILE_FL) != 0) blocks *= sb.blockSize() / 512;
        }
        byte[] block = new byte[BLOCK_BYTES];
        b.get(at + 0x28, block);
        long fileAcl = Superblock.u32(b, at + 0x68) | (long) (b.getShort(at + 0x76) & 0xffff) << 32;
        int extraIsize = 0;
        if (sb.inodeSize() > GOOD_OLD_SIZE) {
            extraIsize = b.getShort(at + 0x80) & 0xffff;
            if (extraIsize > sb.inodeSize() - GOOD_OLD_SIZE || (extraIsize & 3) != 0) {
                throw new CorruptImageException(sb.typeName(), "inode " + number, offset + 0x80,
                        "i_extra_isize " + extraIsize + " for " + sb.inodeSize() + "-byte inodes");
            }
        }
        int end = GOOD_OLD_SIZE + extraIsize;
        // The extra timestamp words exist only where i_extra_isize covers them.
        Instant ctime = time(b.getInt(at + 0xC), extra(b, at, end, 0x84));
        Instant mtime = time(b.getInt(at + 0x10), extra(b, at, end, 0x88));
        Instant atime = time(b.getInt(at + 0x8), extra(b, at, end, 0x8C));
        Instant btime = end >= 0x94 ? time(b.getInt(at + 0x90), extra(b, at, end, 0x94)) : null;
        byte[] extra = new byte[sb.inodeSize() - end];
        b.get(at + end, extra);
        return new Inode(number, offset, mode, uid, gid, size, links, blocks, flags, block, fileAcl,
                atime, ctime, mtime, btime, extra, end);
    }

    private static Integer extra(ByteBuffer b, int at, int end, int field) {
        return end >= field + 4 ? b.getInt(at + field) : null;
    }

    /**
     * Seconds are signed 32-bit; the extra word holds 2 epoch bits (added above bit 31 of the
     * sign-extended value, as the kernel does) and 30 bits of nanoseconds ("Inode Timestamps").
     */
    static Instant time(int seconds, Integer extra) {
        long s = seconds;
        int ns = 0;
        if (extra != null) {
            s += (long) (extra & 3) << 32;
            ns = extra >>> 2;
            if (ns > 999_999_999) ns = 999_999_999;
        }
        return Instant.ofEpochSecond(s, ns);
    }

    /** The entry type, or null when the mode's type bits name no known type. */
    EntryType type() {
        return switch (rawMode & 0xF000) {
            case 0x8000 -> EntryType.FILE;
            case 0x4000 -> EntryType.DIRECTORY;
            case 0xA000 -> EntryType.SYMLINK;
            case 0x2000 -> EntryType.CHAR_DEVICE;
            case 0x6000 -> EntryType.BLOCK_DEVICE;
            case 0x1000 -> EntryType.FIFO;
            case 0xC000 -> EntryType.SOCKET;
            default -> null;
        };
    }

    boolean hasFlag(int flag) { return (flags & flag) != 0; }

    /** Word {@code i} of i_block. */
    long blockWord(int i) {
        return (block[4 * i] & 0xffL) | (block[4 * i + 1] & 0xffL) << 8 | (block[4 * i + 2] & 0xffL) << 16
                | (block[4 * i + 3] & 0xffL) << 24;
    }
}
