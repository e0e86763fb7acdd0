package io.vdetach.apply.offline.ext4;

import io.vdetach.error.HostException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading the index of an htree directory (4.4.5): the root in logical block 0 (".", "..",
 * dx_root_info at byte 24, then count/limit and {hash, block} entries), interior nodes
 * behind a fake empty entry (entries at byte 8). Used to find the leaf a new name belongs to,
 * and to list the index blocks when the index has to be dropped.
 */
public final class Htree {
    /** dx_root_info.indirect_levels: 1 without largedir, 2 with it; anything above is corrupt. */
    static final int MAX_LEVELS = 3;

    private Htree() {}

    @FunctionalInterface
    public interface LogicalReader {
        byte[] read(long logicalBlock) throws IOException;
    }

    private record Node(int countOff, int count) {}

    private static Node node(byte[] blk, int off, String dir) {
        ByteBuffer b = ByteBuffer.wrap(blk).order(ByteOrder.LITTLE_ENDIAN);
        int limit = b.getShort(off) & 0xFFFF;
        int count = b.getShort(off + 2) & 0xFFFF;
        if (count == 0 || count > limit || off + 8L * limit > blk.length) {
            throw new HostException("host ext4: htree directory " + dir + " has a bad index (count " + count + ", limit " + limit + ")");
        }
        return new Node(off, count);
    }

    private static int levels(byte[] root, String dir) {
        int infoLen = root[29] & 0xFF;
        int levels = root[30] & 0xFF;
        if (infoLen != 8 || levels >= MAX_LEVELS) throw new HostException("host ext4: htree directory " + dir + " has a bad root");
        return levels;
    }

    /** The hash version the directory uses, adjusted for the filesystem's unsigned-char flag. */
    static int version(byte[] root, Ext4Superblock sb) {
        int v = root[28] & 0xFF;
        // s_flags 0x2: names were hashed as unsigned chars (3.1, s_flags)
        if (v <= DxHash.TEA && (sb.raw()[0x160] & 0x2) != 0) v += 3;
        return v;
    }

    static int[] seed(Ext4Superblock sb) {
        ByteBuffer b = ByteBuffer.wrap(sb.raw()).order(ByteOrder.LITTLE_ENDIAN);
        return new int[] {b.getInt(0xEC), b.getInt(0xF0), b.getInt(0xF4), b.getInt(0xF8)};
    }

    /** The logical block of the leaf that must hold {@code name}. */
    public static long leafFor(byte[] name, LogicalReader dir, Ext4Superblock sb, String dirName) throws IOException {
        byte[] root = dir.read(0);
        int levels = levels(root, dirName);
        long hash = DxHash.hash(name, version(root, sb), seed(sb));
        if (hash < 0) throw new HostException("host ext4: htree directory " + dirName + " uses an unknown hash version");
        byte[] blk = root;
        int off = 32;
        for (int level = 0; ; level++) {
            Node n = node(blk, off, dirName);
            ByteBuffer b = ByteBuffer.wrap(blk).order(ByteOrder.LITTLE_ENDIAN);
            int at = 0;
            for (int i = 1; i < n.count(); i++) {
                if ((b.getInt(off + 8 * i) & 0xFFFFFFFFL) > hash) break;
                at = i;
            }
            long child = b.getInt(off + 8 * at + 4) & 0x0FFFFFFFL;
            if (level == levels) return child;
            blk = dir.read(child);
            off = 8;
        }
    }

    /** Logical numbers of the interior index blocks (not the root, not the leaves). */
    public static List<Long> indexBlocks(LogicalReader dir, String dirName) throws IOException {
        byte[] root = dir.read(0);
        int levels = levels(root, dirName);
        List<Long> out = new ArrayList<>();
        List<byte[]> cur = List.of(root);
        int off = 32;
        for (int level = 0; level < levels; level++) {
            List<byte[]> next = new ArrayList<>();
            for (byte[] blk : cur) {
                Node n = node(blk, off, dirName);
                ByteBuffer b = ByteBuffer.wrap(blk).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n.count(); i++) {
                    long child = b.getInt(off + 8 * i + 4) & 0x0FFFFFFFL;
                    out.add(child);
                    next.add(dir.read(child));
                }
            }
            cur = next;
            off = 8;
        }
        return out;
    }
}
