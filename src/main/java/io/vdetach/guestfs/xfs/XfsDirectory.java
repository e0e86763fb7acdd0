package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.guestfs.DirEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Directory entries of every form ("Directories"): short-form in the inode; otherwise the
 * data blocks (block form or data form) in the directory's logical range below the leaf
 * offset, whatever indexes (leaf, node, free, btree fork) sit above it. Entries come in
 * on-disk order; "." and ".." are left out.
 */
final class XfsDirectory {
    /** XFS_DIR2_LEAF_OFFSET: data blocks live below 32 GiB of the directory's address space. */
    private static final long LEAF_OFFSET = 32L << 30;
    private static final int XD2B = 0x58443242, XDB3 = 0x58444233, XD2D = 0x58443244, XDD3 = 0x58444433;
    /** Entries in one directory: 2^25 would need over a GiB of names; a hostile count stops here. */
    private static final int MAX_ENTRIES = 1 << 25;

    private XfsDirectory() {}

    static List<DirEntry> list(XfsBlockReader r, XfsDinode dir, XfsForkReader fork) throws IOException {
        if (dir.format() == XfsDinode.FMT_LOCAL) return shortForm(r, dir);
        return dataBlocks(r, dir, fork);
    }

    /** xfs_dir2_sf_hdr: count, i8count, parent; then entries namelen, offset[2], name, [ftype], inumber. */
    private static List<DirEntry> shortForm(XfsBlockReader r, XfsDinode dir) {
        ByteBuffer b = dir.dataFork();
        long where = dir.at() + dir.dataForkOffset();
        int limit = (int) Math.min(b.capacity(), dir.size());
        if (limit < 6) throw bad(dir, where, "short-form header does not fit");
        int count = b.get(0) & 0xff;
        int i8 = b.get(1) & 0xff;
        int inoLen = i8 != 0 ? 8 : 4;
        int pos = 2 + inoLen;
        boolean ftype = r.sb.hasFtype();
        List<DirEntry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (pos + 3 > limit) throw bad(dir, where + pos, "short-form entry " + i + " past the fork");
            int namelen = b.get(pos) & 0xff;
            int nameAt = pos + 3;
            int inoAt = nameAt + namelen + (ftype ? 1 : 0);
            if (namelen == 0 || inoAt + inoLen > limit) throw bad(dir, where + pos, "short-form entry " + i + " overruns the fork");
            byte[] name = new byte[namelen];
            b.get(nameAt, name);
            long ino = inoLen == 8 ? b.getLong(inoAt) : b.getInt(inoAt) & 0xffffffffL;
            out.add(new DirEntry(name, ino));
            pos = inoAt + inoLen;
        }
        return out;
    }

    private static List<DirEntry> dataBlocks(XfsBlockReader r, XfsDinode dir, XfsForkReader fork) throws IOException {
        int bs = r.sb.blockSize();
        int fsbPerDirBlock = 1 << r.sb.dirBlockLog();
        long leafBlock = LEAF_OFFSET / bs;
        List<DirEntry> out = new ArrayList<>();
        for (XfsBmbtRec e : fork.extents()) {
            if (e.startOff() >= leafBlock) break;
            // directory blocks are aligned to their size in the logical address space
            long first = e.startOff() - e.startOff() % fsbPerDirBlock;
            long end = Math.min(e.endOff(), leafBlock);
            for (long fb = first; fb < end; fb += fsbPerDirBlock) {
                if (fb < e.startOff()) continue; // started in the previous extent and was read there
                ByteBuffer blk = fork.read(fb, fsbPerDirBlock);
                if (blk == null) continue;
                dataBlock(r, dir, blk, fb, fork.volumeOffset(fb), out);
            }
        }
        return out;
    }

    /** One xfs_dir2_data block (or the single block of a block-form directory). */
    private static void dataBlock(XfsBlockReader r, XfsDinode dir, ByteBuffer b, long fb, long where, List<DirEntry> out) {
        int magic = b.getInt(0);
        boolean v5 = r.sb.isV5();
        boolean blockForm;
        if (magic == (v5 ? XDB3 : XD2B)) blockForm = true;
        else if (magic == (v5 ? XDD3 : XD2D)) blockForm = false;
        else throw bad(dir, where, "directory block at file block " + fb + " has bad magic 0x" + Integer.toHexString(magic));
        if (v5 && b.getLong(40) != dir.ino()) throw bad(dir, where, "directory block owned by inode " + b.getLong(40));
        int size = b.capacity();
        int end = size;
        if (blockForm) {
            // xfs_dir2_block_tail (count, stale) at the very end, leaf entries before it
            long count = b.getInt(size - 8) & 0xffffffffL;
            if (count > (size - 64) / 8) throw bad(dir, where, "block tail count " + count);
            end = size - 8 - (int) count * 8;
        }
        int pos = v5 ? 64 : 16;
        boolean ftype = r.sb.hasFtype();
        while (pos + 8 <= end) {
            if ((b.getShort(pos) & 0xffff) == 0xffff) { // xfs_dir2_data_unused: freetag, length
                int len = b.getShort(pos + 2) & 0xffff;
                if (len < 8 || len % 8 != 0 || pos + len > end) throw bad(dir, where + pos, "free space of " + len + " bytes");
                pos += len;
                continue;
            }
            if (pos + 11 > end) throw bad(dir, where + pos, "entry past the block");
            long ino = b.getLong(pos);
            int namelen = b.get(pos + 8) & 0xff;
            int len = (8 + 1 + namelen + (ftype ? 1 : 0) + 2 + 7) & ~7;
            if (namelen == 0 || pos + len > end) throw bad(dir, where + pos, "entry of name length " + namelen + " overruns the block");
            byte[] name = new byte[namelen];
            b.get(pos + 9, name);
            if (!isDot(name)) {
                if (out.size() >= MAX_ENTRIES) throw bad(dir, where + pos, "more than " + MAX_ENTRIES + " entries");
                out.add(new DirEntry(name, ino));
            }
            pos += len;
        }
    }

    private static boolean isDot(byte[] n) {
        return (n.length == 1 && n[0] == '.') || (n.length == 2 && n[0] == '.' && n[1] == '.');
    }

    private static CorruptImageException bad(XfsDinode dir, long where, String detail) {
        return new CorruptImageException("xfs", "directory inode " + dir.ino(), where, detail);
    }
}
