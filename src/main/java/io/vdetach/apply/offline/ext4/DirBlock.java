package io.vdetach.apply.offline.ext4;

import io.vdetach.error.HostException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Linear directory blocks ("ext4 Data Structures and Algorithms" 4.4.1, ext4_dir_entry_2):
 * entries of {@code inode u32, rec_len u16, name_len u8, file_type u8, name}, rec_len a
 * multiple of 4 chaining to the block end; with metadata_csum the last 12 bytes are a fake
 * entry (4.4.2, ext4_dir_entry_tail: rec_len 12, file_type 0xDE) holding the crc32c. Htree
 * blocks read the same way: the root's ".." and the index nodes' fake entries span the index.
 */
public final class DirBlock {
    public static final int TAIL = 12;
    public static final int FT_REG = 1, FT_DIR = 2, FT_CHR = 3, FT_BLK = 4, FT_FIFO = 5, FT_SOCK = 6, FT_SYMLINK = 7;

    private DirBlock() {}

    /** One entry as found at {@code offset} in a block. */
    public record Entry(int offset, long inode, int recLen, int type, byte[] name) {}

    /** Entries of {@code block} in order (deleted ones with inode 0 included); bad chaining is a host error. */
    public static List<Entry> parse(byte[] block, long blockNr, String where) {
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        List<Entry> out = new ArrayList<>();
        int off = 0;
        while (off < block.length) {
            if (off + 8 > block.length) throw bad(where, blockNr, off);
            long ino = b.getInt(off) & 0xFFFFFFFFL;
            int rec = b.getShort(off + 4) & 0xFFFF;
            if (rec == 0 && block.length == 65536) rec = 65536; // 4.4.1: rec_len 0 means 65536 on 64 KiB blocks
            int nameLen = block[off + 6] & 0xFF;
            int type = block[off + 7] & 0xFF;
            if (rec < 8 || (rec & 3) != 0 || off + rec > block.length || (ino != 0 && 8 + nameLen > rec)) throw bad(where, blockNr, off);
            byte[] name = ino != 0 ? Arrays.copyOfRange(block, off + 8, off + 8 + nameLen) : new byte[0];
            out.add(new Entry(off, ino, rec, type, name));
            off += rec;
        }
        return out;
    }

    private static HostException bad(String where, long blockNr, int off) {
        return new HostException("host ext4: directory " + where + ": bad entry in block " + blockNr + " at byte " + off
                + "; run e2fsck on the host first");
    }

    /** Space an entry with a name of {@code nameLen} bytes needs (4.4.1: 8 + name, rounded up to 4). */
    public static int need(int nameLen) { return (8 + nameLen + 3) & ~3; }

    public static void putEntry(byte[] block, int off, long ino, int recLen, byte[] name, int type) {
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(off, (int) ino);
        b.putShort(off + 4, (short) recLen);
        block[off + 6] = (byte) name.length;
        block[off + 7] = (byte) type;
        System.arraycopy(name, 0, block, off + 8, name.length);
        Arrays.fill(block, off + 8 + name.length, off + recLen, (byte) 0);
    }

    public static void setRecLen(byte[] block, int off, int recLen) {
        ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).putShort(off + 4, (short) recLen);
    }

    public static void setInode(byte[] block, int off, long ino) {
        ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).putInt(off, (int) ino);
    }

    /** True when the block ends in a checksum tail (4.4.2). */
    public static boolean hasTail(byte[] block) {
        int t = block.length - TAIL;
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        return b.getInt(t) == 0 && (b.getShort(t + 4) & 0xFFFF) == TAIL && block[t + 6] == 0 && (block[t + 7] & 0xFF) == 0xDE;
    }

    /** Writes the tail and its checksum: crc32c(inode seed, block without the tail). */
    public static void writeTail(byte[] block, int inodeSeed) {
        int t = block.length - TAIL;
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(t, 0).putShort(t + 4, (short) TAIL);
        block[t + 6] = 0;
        block[t + 7] = (byte) 0xDE;
        b.putInt(t + 8, Crc32c.update(inodeSeed, block, 0, t));
    }

    /** An htree interior node: one empty entry spanning the whole block (4.4.5, dx_node). */
    public static boolean isIndexNode(byte[] block) {
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        int rec = b.getShort(4) & 0xFFFF;
        return b.getInt(0) == 0 && (rec == block.length || (rec == 0 && block.length == 65536));
    }

    public static boolean tailValid(byte[] block, int inodeSeed) {
        int t = block.length - TAIL;
        return ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getInt(t + 8) == Crc32c.update(inodeSeed, block, 0, t);
    }

    /** File type code (4.4.1) for an inode mode. */
    public static int typeOf(int mode) {
        return switch (mode & Ext4Inode.S_IFMT) {
            case Ext4Inode.S_IFREG -> FT_REG;
            case Ext4Inode.S_IFDIR -> FT_DIR;
            case Ext4Inode.S_IFCHR -> FT_CHR;
            case Ext4Inode.S_IFBLK -> FT_BLK;
            case Ext4Inode.S_IFIFO -> FT_FIFO;
            case Ext4Inode.S_IFSOCK -> FT_SOCK;
            case Ext4Inode.S_IFLNK -> FT_SYMLINK;
            default -> 0;
        };
    }

    /** A name to put in a new directory. */
    public record NewEntry(byte[] name, long inode, int type) {}

    /**
     * Packs "." and ".." and {@code entries} into as many whole blocks as needed, each
     * ending with a tail when {@code tails}; checksums are left to the caller (they need the
     * directory's inode seed).
     */
    public static List<byte[]> pack(long self, long parent, List<NewEntry> entries, int bs, boolean tails) {
        int usable = bs - (tails ? TAIL : 0);
        List<byte[]> blocks = new ArrayList<>();
        byte[] cur = new byte[bs];
        putEntry(cur, 0, self, 12, new byte[] {'.'}, FT_DIR);
        int lastOff = 12;
        putEntry(cur, 12, parent, usable - 12, new byte[] {'.', '.'}, FT_DIR);
        int used = 24;
        for (NewEntry e : entries) {
            int n = need(e.name().length);
            if (used + n > usable) {
                blocks.add(cur);
                cur = new byte[bs];
                used = 0;
                lastOff = -1;
            }
            if (lastOff >= 0) setRecLen(cur, lastOff, used - lastOff);
            putEntry(cur, used, e.inode(), usable - used, e.name(), e.type());
            lastOff = used;
            used += n;
        }
        blocks.add(cur);
        if (tails) for (byte[] b : blocks) writeTail(b, 0);
        return blocks;
    }
}
