package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.guestfs.DirEntry;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Linear directory entries (ext4_dir_entry_2, "Linear (Classic) Directories") in one block or
 * inline-data region. Hash-tree directories are read the same way: their interior nodes are
 * disguised as one empty entry spanning the block, the root's index hides in the rec_len of
 * "..", and the checksum tail is an entry with inode 0, so every live name is seen exactly once.
 */
final class DirectoryBlock {
    private DirectoryBlock() {}

    static final int HEADER = 8;

    /**
     * Appends the live entries of {@code [at, at + length)} of {@code b} to {@code out}, without
     * the directory's own "." and "..": those are the first two records of its first block
     * ({@code dotsFirst}). A "." or ".." anywhere else is a crafted name and is passed on for the
     * extractor to refuse and report. Entries must tile the region exactly.
     */
    static void parse(ByteBuffer b, int at, int length, long offset, Superblock sb, long dirInode, boolean dotsFirst,
                      List<DirEntry> out) {
        boolean fileType = sb.hasIncompat(Features.INCOMPAT_FILETYPE);
        int end = at + length;
        int pos = at;
        int index = 0;
        while (pos < end) {
            long entryOffset = offset + (pos - at);
            if (end - pos < HEADER) fail(sb, dirInode, entryOffset, "entry header cut by the end of the block");
            long ino = Superblock.u32(b, pos);
            int recLen = recLen(b.getShort(pos + 4) & 0xffff, sb.blockSize());
            int nameLen = fileType ? b.get(pos + 6) & 0xff : b.getShort(pos + 6) & 0xffff;
            if (recLen < HEADER || (recLen & 3) != 0) fail(sb, dirInode, entryOffset, "rec_len " + recLen);
            if (recLen > end - pos) fail(sb, dirInode, entryOffset, "rec_len " + recLen + " runs past the block");
            if (ino != 0) {
                if (nameLen == 0 || nameLen > recLen - HEADER) {
                    fail(sb, dirInode, entryOffset, "name_len " + nameLen + " in a record of " + recLen);
                }
                if (ino > sb.inodesCount()) fail(sb, dirInode, entryOffset, "inode " + ino + " above s_inodes_count");
                boolean ownDot = dotsFirst && index < 2 && isDot(b, pos + HEADER, nameLen, index + 1);
                if (!ownDot) {
                    byte[] name = new byte[nameLen];
                    b.get(pos + HEADER, name);
                    out.add(new DirEntry(name, ino));
                }
            }
            pos += recLen;
            index++;
        }
    }

    /** With 64 KiB blocks a record spanning the whole block cannot be stored in 16 bits. */
    private static int recLen(int stored, int blockSize) {
        if (blockSize < 65536) return stored;
        if (stored == 65535 || stored == 0) return blockSize;
        return (stored & 65532) | ((stored & 3) << 16);
    }

    /** "." when {@code dots} is 1, ".." when 2. */
    private static boolean isDot(ByteBuffer b, int at, int len, int dots) {
        if (len != dots) return false;
        for (int i = 0; i < len; i++) if (b.get(at + i) != '.') return false;
        return true;
    }

    private static void fail(Superblock sb, long dirInode, long offset, String detail) {
        throw new CorruptImageException(sb.typeName(), "directory entry of inode " + dirInode, offset, detail);
    }
}
