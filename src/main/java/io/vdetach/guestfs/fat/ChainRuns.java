package io.vdetach.guestfs.fat;

import io.vdetach.error.CorruptImageException;
import java.io.IOException;
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

    /** What following a chain needs from one FAT (FAT12/16/32 or exFAT): its entries and their meaning. */
    public interface Links {
        /** The FAT entry of {@code cluster}: its successor or a mark. */
        long next(long cluster) throws IOException;

        boolean isEndOfChain(long entry);

        /** What an entry that is neither a valid cluster nor the end mark links to, for messages. */
        String invalidTarget(long entry);

        /** Byte offset of {@code cluster}'s FAT entry on the volume, for messages. */
        long entryOffset(long cluster);

        /** Clusters in the data area, numbered 2 .. clusterCount + 1. */
        long clusterCount();

        /** A cluster number that lies in the data area. */
        default boolean valid(long cluster) {
            return cluster >= 2 && cluster <= clusterCount() + 1;
        }
    }

    /**
     * Follows the chain from {@code first}. With {@code wanted >= 0} it stops after that many
     * clusters and the chain ending sooner is corrupt; with {@code wanted < 0} it runs to the
     * end mark but no further than {@code maxClusters}.
     *
     * @param format the filesystem, for messages
     * @param what the entry the chain belongs to, for messages
     * @param entryOffset that entry's directory entry offset, for messages
     * @param lengthWord what the entry calls its length ("size", "length"), for messages
     */
    public static List<ClusterRun> follow(Links fat, long first, long wanted, long maxClusters, String format,
                                          String what, long entryOffset, String lengthWord) throws IOException {
        if (wanted == 0) return List.of();
        if (!fat.valid(first)) {
            throw new CorruptImageException(format, "directory entry of " + what, entryOffset,
                    "first cluster " + first + " is outside 2.." + (fat.clusterCount() + 1));
        }
        if (wanted > fat.clusterCount()) {
            throw new CorruptImageException(format, "directory entry of " + what, entryOffset, "the " + lengthWord
                    + " needs " + wanted + " clusters, more than the volume's " + fat.clusterCount());
        }
        ChainRuns runs = new ChainRuns(first);
        long total = 1;
        long cluster = first;
        while (wanted < 0 || total < wanted) {
            long next = fat.next(cluster);
            if (fat.isEndOfChain(next)) {
                if (wanted >= 0) {
                    throw new CorruptImageException(format, "cluster chain of " + what, entryOffset,
                            "ends after " + total + " clusters; the " + lengthWord + " needs " + wanted);
                }
                break;
            }
            if (!fat.valid(next)) {
                throw new CorruptImageException(format, "cluster chain of " + what, fat.entryOffset(cluster),
                        "FAT entry of cluster " + cluster + " links to " + fat.invalidTarget(next));
            }
            if (!runs.add(next)) {
                throw new CorruptImageException(format, "cluster chain of " + what, entryOffset,
                        "visits cluster " + next + " twice (a cycle)");
            }
            total++;
            if (wanted < 0 && total > maxClusters) {
                throw new CorruptImageException(format, "cluster chain of " + what, entryOffset,
                        "longer than " + maxClusters + " clusters (the largest directory allowed)");
            }
            cluster = next;
        }
        return runs.finish();
    }

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
