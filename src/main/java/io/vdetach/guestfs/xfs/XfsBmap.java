package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A fork's block map: the extent list of an extents-format fork, or the leaves of a
 * bmbt B+tree rooted in the inode ("B+tree Extent List"), checked for order, overlap,
 * depth and loops.
 */
final class XfsBmap {
    /** Extents kept for one fork: 4 Mi records (~200 MiB of objects) bounds a hostile count. */
    static final int MAX_EXTENTS = 1 << 22;
    /** bmbt height: XFS_BM_MAXLEVELS is at most 9 for any geometry. */
    private static final int MAX_LEVELS = 9;
    private static final int BMAP_MAGIC = 0x424d4150; // "BMAP"
    private static final int BMA3_MAGIC = 0x424d4133; // "BMA3"

    private XfsBmap() {}

    /** The extents of a fork given its format, bytes and recorded extent count. */
    static List<XfsBmbtRec> extents(XfsBlockReader r, XfsDinode ino, int format, ByteBuffer fork, long count,
                                    int forkOffset, String what) throws IOException {
        long where = ino.at() + forkOffset;
        return switch (format) {
            case XfsDinode.FMT_EXTENTS -> {
                if (count > fork.capacity() / 16) {
                    throw new CorruptImageException("xfs", what + " of inode " + ino.ino(), where,
                            count + " extents do not fit in the fork");
                }
                List<XfsBmbtRec> out = new ArrayList<>((int) count);
                for (int i = 0; i < count; i++) add(out, XfsBmbtRec.parse(fork, i * 16), r, ino, what, where + i * 16L);
                yield out;
            }
            case XfsDinode.FMT_BTREE -> btree(r, ino, fork, count, what, where);
            default -> throw new CorruptImageException("xfs", what + " of inode " + ino.ino(), where,
                    "fork format " + format + " cannot hold extents");
        };
    }

    private static List<XfsBmbtRec> btree(XfsBlockReader r, XfsDinode ino, ByteBuffer root, long count,
                                         String what, long where) throws IOException {
        // xfs_bmdr_block: level, numrecs, then keys[maxrecs] and ptrs[maxrecs] filling the fork
        int level = root.getShort(0) & 0xffff;
        int numrecs = root.getShort(2) & 0xffff;
        int maxrecs = (root.capacity() - 4) / 16;
        if (level < 1 || level > MAX_LEVELS || numrecs < 1 || numrecs > maxrecs) {
            throw new CorruptImageException("xfs", what + " btree root of inode " + ino.ino(), where,
                    "level " + level + ", " + numrecs + " records (max " + maxrecs + ")");
        }
        if (count > MAX_EXTENTS) {
            throw new CorruptImageException("xfs", what + " of inode " + ino.ino(), where, count + " extents (max " + MAX_EXTENTS + ")");
        }
        List<XfsBmbtRec> out = new ArrayList<>((int) Math.min(count, 1 << 16));
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < numrecs; i++) {
            long ptr = root.getLong(4 + maxrecs * 8 + i * 8);
            walk(r, ino, ptr, level - 1, out, seen, what);
        }
        if (out.size() != count) {
            throw new CorruptImageException("xfs", what + " of inode " + ino.ino(), where,
                    "btree holds " + out.size() + " extents, inode says " + count);
        }
        return out;
    }

    private static void walk(XfsBlockReader r, XfsDinode ino, long fsbno, int level, List<XfsBmbtRec> out,
                             Set<Long> seen, String what) throws IOException {
        long at = r.fsbToByte(fsbno, what + " btree block of inode " + ino.ino(), ino.at());
        if (!seen.add(at)) {
            throw new CorruptImageException("xfs", what + " btree of inode " + ino.ino(), at, "block visited twice (loop)");
        }
        ByteBuffer b = r.block(at);
        int magic = b.getInt(0);
        boolean v5 = r.sb.isV5();
        if (magic != (v5 ? BMA3_MAGIC : BMAP_MAGIC)) {
            throw new CorruptImageException("xfs", what + " btree block of inode " + ino.ino(), at, "bad magic 0x" + Integer.toHexString(magic));
        }
        int blockLevel = b.getShort(4) & 0xffff;
        int numrecs = b.getShort(6) & 0xffff;
        int hdr = v5 ? 72 : 24;
        if (v5 && b.getLong(56) != ino.ino()) {
            throw new CorruptImageException("xfs", what + " btree block of inode " + ino.ino(), at, "owned by inode " + b.getLong(56));
        }
        int leafMax = (r.sb.blockSize() - hdr) / 16;
        int nodeMax = (r.sb.blockSize() - hdr) / 16;
        if (blockLevel != level || numrecs < 1 || numrecs > (level == 0 ? leafMax : nodeMax)) {
            throw new CorruptImageException("xfs", what + " btree block of inode " + ino.ino(), at,
                    "level " + blockLevel + " (expected " + level + "), " + numrecs + " records");
        }
        if (level == 0) {
            for (int i = 0; i < numrecs; i++) add(out, XfsBmbtRec.parse(b, hdr + i * 16), r, ino, what, at + hdr + i * 16L);
            return;
        }
        for (int i = 0; i < numrecs; i++) {
            walk(r, ino, b.getLong(hdr + nodeMax * 8 + i * 8), level - 1, out, seen, what);
        }
    }

    private static void add(List<XfsBmbtRec> out, XfsBmbtRec e, XfsBlockReader r, XfsDinode ino, String what, long where) {
        String s = what + " extent of inode " + ino.ino();
        if (e.blockCount() == 0) throw new CorruptImageException("xfs", s, where, "zero-length extent");
        if (!out.isEmpty() && out.getLast().endOff() > e.startOff()) {
            throw new CorruptImageException("xfs", s, where, "extent at file block " + e.startOff() + " overlaps or is out of order");
        }
        if (out.size() >= MAX_EXTENTS) throw new CorruptImageException("xfs", s, where, "more than " + MAX_EXTENTS + " extents");
        r.extentToByte(e.startBlock(), e.blockCount(), s, where);
        out.add(e);
    }
}
