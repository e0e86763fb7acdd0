package io.vdetach.volume.lvm;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import java.util.ArrayList;
import java.util.List;

/**
 * A logical volume's bytes: its segments mapped onto the PV volumes, computed per request
 * (a striped LV of a terabyte has millions of chunks, so no table is built). Gaps read as holes.
 */
final class LvmVolumeLayer extends MappedLayer {
    private final List<LvmSegment> segments;
    /** Each segment's end, in order: a request finds its first segment by binary search, not by a scan of them all. */
    private final long[] ends;
    private final long size;
    private final String name;

    /** @param segments sorted by start, not overlapping */
    LvmVolumeLayer(List<LvmSegment> segments, long size, String name) {
        this.segments = segments;
        this.ends = segments.stream().mapToLong(LvmSegment::end).toArray();
        this.size = size;
        this.name = name;
    }

    /** The first segment ending after {@code pos}. */
    private int firstEndingAfter(long pos) {
        int lo = 0, hi = ends.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= pos) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    @Override
    public long size() { return size; }

    @Override
    public String describe() { return name; }

    @Override
    public List<Run> map(long offset, long length) {
        long end = Math.min(size, offset + length);
        List<Run> out = new ArrayList<>();
        long pos = offset;
        for (int i = firstEndingAfter(pos); i < segments.size(); i++) {
            LvmSegment s = segments.get(i);
            if (pos >= end) break;
            if (s.end() <= pos) continue;
            if (s.start() > pos) {
                long hole = Math.min(s.start(), end) - pos;
                ExtentMaps.appendMerging(out, new Run.Hole(pos, hole));
                pos += hole;
                if (pos >= end) break;
            }
            long segEnd = Math.min(s.end(), end);
            int n = s.stripes().size();
            while (pos < segEnd) {
                long x = pos - s.start();
                long len;
                LvmStripe st;
                long at;
                if (n == 1) {
                    st = s.stripes().getFirst();
                    at = st.offset() + x;
                    len = segEnd - pos;
                } else {
                    long c = x / s.chunk();
                    long within = x % s.chunk();
                    st = s.stripes().get((int) (c % n));
                    at = st.offset() + (c / n) * s.chunk() + within;
                    len = Math.min(s.chunk() - within, segEnd - pos);
                }
                ExtentMaps.appendMerging(out, new Run.Mapped(pos, len, st.pv(), at));
                pos += len;
            }
        }
        if (pos < end) ExtentMaps.appendMerging(out, new Run.Hole(pos, end - pos));
        return out;
    }
}
