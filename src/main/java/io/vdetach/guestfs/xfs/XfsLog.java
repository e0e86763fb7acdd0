package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Whether the internal log was cleanly unmounted ("Journaling Log"; the kernel's
 * xlog_find_head and xlog_check_unmount_rec). Every 512-byte basic block of the log starts
 * with its cycle number, or with the record-header magic followed by the cycle. The head is
 * where the cycle drops; the record just before it must be a lone unmount record. Only a
 * warning depends on the answer: a dirty log means the image was taken from a running or
 * crashed guest, and changes still in the log are not seen.
 */
final class XfsLog {
    private static final int HEADER_MAGIC = 0xFEEDBABE;
    private static final int BB = 512;
    /** XLOG_UNMOUNT_TRANS in xlog_op_header.oh_flags. */
    private static final int UNMOUNT_TRANS = 0x20;
    /** The last record lies within 8 in-core logs of 256 KiB before the head (XLOG_MAX_ICLOGS). */
    private static final int MAX_BACKWARD_BBS = 8 * 256 * 1024 / BB + 64;

    enum State { CLEAN, DIRTY, UNKNOWN }

    private XfsLog() {}

    static State state(XfsBlockReader r) throws IOException {
        XfsSuperblock sb = r.sb;
        if (sb.logStart() == 0 || sb.logBlocks() == 0) return State.UNKNOWN; // external log device
        long start;
        try {
            start = r.extentToByte(sb.logStart(), Math.min(sb.logBlocks(), 1 << 21), "log", 48);
        } catch (CorruptImageException e) {
            return State.UNKNOWN; // the log's place is damaged: only a warning depended on it
        }
        long bbs = sb.logBlocks() * sb.blockSize() / BB;
        if (start + bbs * BB > r.volume.size() || bbs < 2) return State.UNKNOWN;
        long c0 = cycle(r, start, 0);
        long last = cycle(r, start, bbs - 1);
        long head;
        if (c0 == last) {
            head = 0; // every block has the newest cycle: the head has just wrapped to the start
        } else {
            // blocks [0, head) carry cycle c0, blocks [head, end) the previous one
            long lo = 0, hi = bbs - 1;
            while (hi - lo > 1) {
                long mid = (lo + hi) >>> 1;
                if (cycle(r, start, mid) == c0) lo = mid;
                else hi = mid;
            }
            head = hi;
        }
        // the record header nearest before the head
        for (long i = 1; i <= Math.min(MAX_BACKWARD_BBS, bbs); i++) {
            long bb = Math.floorMod(head - i, bbs);
            ByteBuffer b = bb(r, start, bb);
            if (b.getInt(0) != HEADER_MAGIC) continue;
            long len = b.getInt(12) & 0xffffffffL;
            long ops = b.getInt(40) & 0xffffffffL;
            int version = b.getInt(8);
            long hsize = b.getInt(320) & 0xffffffffL;
            // v2 logs with records over 32 KiB spread the cycle data over several header blocks
            long hblks = version == 2 && hsize > 32768 ? (hsize + 32767) / 32768 : 1;
            long dataBbs = (len + BB - 1) / BB;
            if (ops != 1 || Math.floorMod(bb + hblks + dataBbs, bbs) != head % bbs) return State.DIRTY;
            ByteBuffer d = bb(r, start, Math.floorMod(bb + hblks, bbs));
            return (d.get(9) & 0xff) == UNMOUNT_TRANS ? State.CLEAN : State.DIRTY;
        }
        return State.UNKNOWN;
    }

    private static long cycle(XfsBlockReader r, long start, long bb) throws IOException {
        ByteBuffer b = bb(r, start, bb);
        int w = b.getInt(0);
        return (w == HEADER_MAGIC ? b.getInt(4) : w) & 0xffffffffL;
    }

    private static ByteBuffer bb(XfsBlockReader r, long start, long bb) throws IOException {
        return r.bytesInBlock(start + bb * BB, BB).order(ByteOrder.BIG_ENDIAN);
    }
}
