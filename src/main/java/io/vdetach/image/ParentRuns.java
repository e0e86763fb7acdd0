package io.vdetach.image;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Guest ranges a differencing image does not hold itself: served by its parent (whose runs
 * already end on host files), or zeros when there is no parent or the parent is shorter.
 */
public final class ParentRuns {
    private ParentRuns() {}

    /** Appends the runs for {@code [start, start + length)} read through {@code parent} (may be null). */
    public static void append(DiskImage parent, List<Run> out, long start, long length) throws IOException {
        long inParent = parent == null ? 0 : Math.max(0, Math.min(length, parent.size() - start));
        if (inParent > 0) {
            long pos = start;
            for (Run r : parent.map(start, inParent)) {
                if (r.start() != pos) throw new IOException(parent.describe() + ": map is not contiguous at " + pos);
                ExtentMaps.appendMerging(out, r);
                pos = r.end();
            }
            if (pos != start + inParent) {
                throw new IOException(parent.describe() + ": map covered " + (pos - start) + " of " + inParent);
            }
        }
        if (length > inParent) ExtentMaps.appendMerging(out, new Run.Hole(start + inParent, length - inParent));
    }

    /** Fills {@code dst} with guest bytes from {@code pos} as {@code parent} (may be null) holds them: zeros past its end. */
    public static void read(DiskImage parent, long pos, ByteBuffer dst) throws IOException {
        long inParent = parent == null ? 0 : Math.max(0, Math.min(dst.remaining(), parent.size() - pos));
        int limit = dst.limit();
        dst.limit(dst.position() + (int) inParent);
        if (inParent > 0) parent.readFully(pos, dst);
        dst.limit(limit);
        while (dst.remaining() >= 8) dst.putLong(0);
        while (dst.hasRemaining()) dst.put((byte) 0);
    }
}
