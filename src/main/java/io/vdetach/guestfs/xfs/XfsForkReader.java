package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Reads logical blocks of a fork (directory, attribute, remote symlink) through its extents. */
final class XfsForkReader {
    private final XfsBlockReader r;
    private final List<XfsBmbtRec> extents;
    private final long[] starts;
    private final String what;
    /** The inode whose fork this is, for messages. */
    private final long inodeAt;

    XfsForkReader(XfsBlockReader r, List<XfsBmbtRec> extents, String what, long inodeAt) {
        this.r = r;
        this.extents = extents;
        this.what = what;
        this.inodeAt = inodeAt;
        this.starts = new long[extents.size()];
        for (int i = 0; i < starts.length; i++) starts[i] = extents.get(i).startOff();
    }

    List<XfsBmbtRec> extents() { return extents; }

    /** Whether logical block {@code fb} is mapped to written data. */
    boolean mapped(long fb) {
        XfsBmbtRec e = find(fb);
        return e != null && !e.unwritten();
    }

    /**
     * {@code n} logical blocks from {@code fb}, big-endian; null when the first is a hole.
     * A multi-block unit (a directory block) that is only partly mapped is corrupt.
     */
    ByteBuffer read(long fb, int n) throws IOException {
        int bs = r.sb.blockSize();
        if (n == 1) {
            XfsBmbtRec e = find(fb);
            if (e == null || e.unwritten()) return null;
            return r.block(r.fsbToByte(e.startBlock() + (fb - e.startOff()), what, inodeAt));
        }
        byte[] out = new byte[n * bs];
        for (int i = 0; i < n; i++) {
            XfsBmbtRec e = find(fb + i);
            if (e == null || e.unwritten()) {
                if (i == 0) return null;
                throw new CorruptImageException("xfs", what, volumeOffset(fb), "multi-block unit at file block " + fb + " is partly a hole");
            }
            r.block(r.fsbToByte(e.startBlock() + (fb + i - e.startOff()), what, inodeAt)).get(0, out, i * bs, bs);
        }
        return ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
    }

    /** Volume byte offset of logical block {@code fb}, or -1 when it is a hole (for messages). */
    long volumeOffset(long fb) {
        XfsBmbtRec e = find(fb);
        return e == null ? -1 : r.fsbToByte(e.startBlock() + (fb - e.startOff()), what, inodeAt);
    }

    private XfsBmbtRec find(long fb) {
        int i = java.util.Arrays.binarySearch(starts, fb);
        if (i < 0) i = -i - 2;
        if (i < 0) return null;
        XfsBmbtRec e = extents.get(i);
        return fb < e.endOff() ? e : null;
    }
}
