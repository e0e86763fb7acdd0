package io.vdetach.guestfs.fat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects a cluster chain as runs of consecutive clusters and notices the first cluster visited
 * twice (a FAT, FAT12/16/32 or exFAT, gives each cluster one successor, so a repeat is a cycle) as soon as it happens:
 * memory and time stay proportional to the distinct clusters, never to a cycle's unrolling.
 */
public final class ChainRuns {
    /** {@code count} consecutive clusters from {@code first}. */
    public record ClusterRun(long first, long count) {}

    private final TreeMap<Long, Long> closed = new TreeMap<>();
    private final List<ClusterRun> runs = new ArrayList<>();
    private long runStart;
    private long runLen;
    /** The start of the nearest closed run above the open one: extending into it is a repeat. */
    private long limit;

    public ChainRuns(long first) {
        open(first);
    }

    /** Adds {@code next} after the last cluster; false when it was already in the chain. */
    public boolean add(long next) {
        if (next == runStart + runLen) {
            if (next >= limit) return false;
            runLen++;
            return true;
        }
        if (next >= runStart && next < runStart + runLen) return false;
        Map.Entry<Long, Long> below = closed.floorEntry(next);
        if (below != null && next < below.getKey() + below.getValue()) return false;
        closed.put(runStart, runLen);
        runs.add(new ClusterRun(runStart, runLen));
        open(next);
        return true;
    }

    private void open(long first) {
        runStart = first;
        runLen = 1;
        Long above = closed.higherKey(first);
        limit = above == null ? Long.MAX_VALUE : above;
    }

    public List<ClusterRun> finish() {
        runs.add(new ClusterRun(runStart, runLen));
        return runs;
    }
}
