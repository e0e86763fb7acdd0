package io.vdetach.guestfs.exfat;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.CachedLayer;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.fat.ChainRuns;
import java.io.IOException;
import java.util.List;

/**
 * The active exFAT FAT (section 4): 32-bit entries read through the block cache, and cluster
 * chains as runs of consecutive clusters, checked against the cluster count and for repeats.
 * Files with NoFatChain never come here: their clusters are contiguous.
 */
final class ExfatFat implements ChainRuns.Links {
    private static final String FORMAT = ExfatBootSector.FORMAT;
    /** The FAT is cached in blocks of this size: 16,384 entries. */
    private static final int BLOCK = 64 << 10;
    /** Section 4.1: the end-of-chain mark; 0xFFFFFFF7 marks a bad cluster. */
    private static final long END_OF_CHAIN = 0xFFFFFFFFL;

    private final Layer fat;
    private final long fatStart;
    private final long clusterCount;

    ExfatFat(Layer volume, ExfatBootSector boot, BlockCache cache) {
        this.fat = new CachedLayer(volume, BLOCK, cache);
        // VolumeFlags bit 0, ActiveFat: the second FAT is the one in use (section 3.1.13.1).
        int active = boot.numberOfFats() == 2 && (boot.volumeFlags() & 1) != 0 ? 1 : 0;
        this.fatStart = (boot.fatOffset() + active * boot.fatLength()) << boot.bytesPerSectorShift();
        this.clusterCount = boot.clusterCount();
    }

    @Override public long clusterCount() { return clusterCount; }

    long entry(long cluster) throws IOException {
        return fat.readBytes(entryOffset(cluster), 4).getInt(0) & 0xffffffffL;
    }

    @Override public long next(long cluster) throws IOException { return entry(cluster); }

    @Override public boolean isEndOfChain(long entry) { return entry == END_OF_CHAIN; }

    @Override public long entryOffset(long cluster) { return fatStart + cluster * 4; }

    @Override
    public String invalidTarget(long entry) {
        return entry == 0xFFFFFFF7L ? "a bad-cluster mark" : entry == 0 ? "cluster 0"
                : "cluster " + entry + ", beyond the " + clusterCount + " clusters";
    }

    /** The chain from {@code first}, as {@link ChainRuns#follow} (a stream's length says how many clusters it wants). */
    List<ChainRuns.ClusterRun> chain(long first, long wanted, long maxClusters, String what, long entryOffset) throws IOException {
        return ChainRuns.follow(this, first, wanted, maxClusters, FORMAT, what, entryOffset, "length");
    }

    /** The contiguous clusters of a NoFatChain allocation, checked to lie in the heap. */
    List<ChainRuns.ClusterRun> contiguous(long first, long count, String what, long entryOffset) {
        if (count == 0) return List.of();
        if (!valid(first) || first + count - 1 > clusterCount + 1) {
            throw new CorruptImageException(FORMAT, what, entryOffset, "contiguous clusters " + first + ".."
                    + (first + count - 1) + " run outside 2.." + (clusterCount + 1));
        }
        return List.of(new ChainRuns.ClusterRun(first, count));
    }
}
