package io.vdetach.extent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable, sorted, gap-free list of runs covering {@code [0, size)}: the precomputed
 * map of a file or volume. Gaps handed to the builder become holes.
 */
public final class RunTable {
    private final Run[] runs;
    private final long[] starts;
    private final long size;

    private RunTable(Run[] runs, long size) {
        this.runs = runs;
        this.size = size;
        this.starts = new long[runs.length];
        for (int i = 0; i < runs.length; i++) starts[i] = runs[i].start();
    }

    public long size() { return size; }

    public List<Run> runs() { return List.of(runs); }

    /** The runs covering {@code [offset, offset + length)}, cut at both ends. */
    public List<Run> slice(long offset, long length) {
        long end = Math.min(size, offset + length);
        if (offset < 0 || end <= offset) return List.of();
        int i = Arrays.binarySearch(starts, offset);
        if (i < 0) i = -i - 2;
        List<Run> out = new ArrayList<>();
        for (; i < runs.length && runs[i].start() < end; i++) {
            Run r = runs[i];
            long s = Math.max(r.start(), offset);
            long e = Math.min(r.end(), end);
            if (e > s) out.add(s == r.start() && e == r.end() ? r : r.slice(s - r.start(), e - s, s));
        }
        return out;
    }

    public static Builder builder(long size) { return new Builder(size); }

    /** Collects runs in any order; {@link #build()} sorts, checks overlaps and fills gaps with holes. */
    public static final class Builder {
        private final long size;
        private final List<Run> runs = new ArrayList<>();

        private Builder(long size) {
            if (size < 0) throw new IllegalArgumentException("negative size");
            this.size = size;
        }

        public Builder add(Run run) {
            runs.add(run);
            return this;
        }

        /**
         * @throws IllegalStateException when two runs overlap or one passes {@code size}; callers
         *     parsing an image check their extents first and report corruption with an offset.
         */
        public RunTable build() {
            runs.sort((a, b) -> Long.compare(a.start(), b.start()));
            List<Run> out = new ArrayList<>(runs.size() + 2);
            long pos = 0;
            for (Run r : runs) {
                if (r.start() >= size) continue;
                if (r.start() < pos) throw new IllegalStateException("overlapping runs at " + r.start());
                if (r.start() > pos) out.add(new Run.Hole(pos, r.start() - pos));
                Run clipped = r.end() > size ? r.slice(0, size - r.start(), r.start()) : r;
                ExtentMaps.appendMerging(out, clipped);
                pos = clipped.end();
            }
            if (pos < size) out.add(new Run.Hole(pos, size - pos));
            return new RunTable(out.toArray(Run[]::new), size);
        }
    }
}
