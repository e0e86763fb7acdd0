package io.vdetach.guestfs.fat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a deleted file's data most likely is once its cluster chain is gone (FAT zeroes it on
 * delete, fatgen103 section 4; exfat-fuse zeroes exFAT's too, measured): from its first cluster on,
 * the next clusters that are free now, those allocated now skipped as another file's. That is Sleuth
 * Kit's rule, and the right answer for a file written in turns with another (measured on exFAT:
 * plain contiguity gives the other file's clusters). When the first cluster itself is allocated now
 * the file's place was reused: the clusters are taken contiguously and the entry is marked so.
 *
 * <p>The clusters examined over a whole scan are bounded by a budget, so a hostile volume of many
 * deleted entries each claiming the whole volume costs time linear in its size, not quadratic.
 */
public final class FreeClusters {
    /** What the filesystem's allocation structure (the FAT, the exFAT bitmap) says of a cluster now. */
    @FunctionalInterface
    public interface Allocation {
        boolean inUse(long cluster) throws IOException;
    }

    /**
     * @param runs the clusters in file order
     * @param reused the first cluster is allocated now: {@code runs} are contiguous from it, possibly another file's
     */
    public record Found(List<ChainRuns.ClusterRun> runs, boolean reused) {}

    private final Allocation allocation;
    private final long lastCluster;
    private long budget;

    /**
     * @param lastCluster the highest valid cluster number (clusters are 2 .. lastCluster)
     * @param budget clusters that may be examined over the whole scan
     */
    public FreeClusters(Allocation allocation, long lastCluster, long budget) {
        this.allocation = allocation;
        this.lastCluster = lastCluster;
        this.budget = budget;
    }

    /** The scan's budget is spent: no more content is located. */
    public boolean exhausted() {
        return budget <= 0;
    }

    /**
     * {@code count} clusters from {@code first} exactly where they are (exFAT's NoFatChain), {@code reused}
     * when any is allocated now; null when they run off the volume or the budget ran out.
     */
    public Found contiguous(long first, long count) throws IOException {
        if (count <= 0) return new Found(List.of(), false);
        if (first < 2 || count > lastCluster - 1 || first + count - 1 > lastCluster || !charge(count)) return null;
        boolean reused = false;
        for (long c = first; c < first + count && !reused; c++) reused = allocation.inUse(c);
        return new Found(List.of(new ChainRuns.ClusterRun(first, count)), reused);
    }

    /** Takes {@code n} clusters' examination from the budget; false (and the budget spent) when it has not that many. */
    public boolean charge(long n) {
        if (budget < n) {
            budget = 0;
            return false;
        }
        budget -= n;
        return true;
    }

    /**
     * The {@code count} clusters of a deleted file from {@code first}, or null when the volume has not
     * that many (free) clusters from there or the budget ran out ({@link #exhausted()}).
     */
    public Found find(long first, long count) throws IOException {
        if (count <= 0) return new Found(List.of(), false);
        if (first < 2 || first > lastCluster || count > lastCluster - 1) return null;
        if (budget < count) {
            budget = 0;
            return null;
        }
        if (allocation.inUse(first)) {
            budget -= count;
            return first + count - 1 > lastCluster ? null : new Found(List.of(new ChainRuns.ClusterRun(first, count)), true);
        }
        List<ChainRuns.ClusterRun> runs = new ArrayList<>();
        long runStart = first, runLen = 0, taken = 0;
        for (long c = first; taken < count; c++) {
            if (c > lastCluster || --budget < 0) return null;
            if (allocation.inUse(c)) continue;
            if (runLen > 0 && c != runStart + runLen) {
                runs.add(new ChainRuns.ClusterRun(runStart, runLen));
                runLen = 0;
            }
            if (runLen == 0) runStart = c;
            runLen++;
            taken++;
        }
        runs.add(new ChainRuns.ClusterRun(runStart, runLen));
        return new Found(runs, false);
    }
}
