package io.vdetach.guestfs.exfat;

import io.vdetach.guestfs.fat.ChainRuns;
import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The active exFAT FAT (section 4): 32-bit entries read in chunks through the block cache,
 * and cluster chains as runs of consecutive clusters, checked against the cluster count and for
 * repeats. Files with NoFatChain never come here: their clusters are contiguous.
 */
final class ExfatFat {
    private static final String FORMAT = ExfatBootSector.FORMAT;
    private static final int CHUNK = 64 << 10;
    /** Section 4.1: the end-of-chain mark; 0xFFFFFFF7 marks a bad cluster. */
    private static final long END_OF_CHAIN = 0xFFFFFFFFL;

    private final Layer volume;
    private final long fatStart;
    private final long fatBytes;
    private final long clusterCount;
    private final BlockCache.Region<ByteBuffer> chunks;

    ExfatFat(Layer volume, ExfatBootSector boot, BlockCache cache) {
        this.volume = volume;
        this.chunks = cache.region("exfat FAT chunks of " + volume.describe(), c -> c.capacity());
        // VolumeFlags bit 0, ActiveFat: the second FAT is the one in use (section 3.1.13.1).
        int active = boot.numberOfFats() == 2 && (boot.volumeFlags() & 1) != 0 ? 1 : 0;
        this.fatStart = (boot.fatOffset() + active * boot.fatLength()) << boot.bytesPerSectorShift();
        this.fatBytes = (clusterCountPlus2(boot)) * 4;
        this.clusterCount = boot.clusterCount();
    }

    private static long clusterCountPlus2(ExfatBootSector boot) { return boot.clusterCount() + 2; }

    boolean valid(long cluster) { return cluster >= 2 && cluster <= clusterCount + 1; }

    long clusterCount() { return clusterCount; }

    long entry(long cluster) throws IOException {
        long at = cluster * 4;
        ByteBuffer c = chunks.get(at / CHUNK, chunk -> volume.readBytes(fatStart + chunk * CHUNK,
                (int) Math.min(CHUNK, fatBytes - chunk * CHUNK)));
        return c.getInt((int) (at % CHUNK)) & 0xffffffffL;
    }

    long entryOffset(long cluster) { return fatStart + cluster * 4; }

    private final ChainRuns.Links links = new ChainRuns.Links() {
        @Override public long next(long cluster) throws IOException { return entry(cluster); }
        @Override public boolean isEndOfChain(long entry) { return entry == END_OF_CHAIN; }
        @Override public boolean valid(long cluster) { return ExfatFat.this.valid(cluster); }
        @Override public String invalidTarget(long entry) {
            return entry == 0xFFFFFFF7L ? "a bad-cluster mark" : entry == 0 ? "cluster 0"
                    : "cluster " + entry + ", beyond the " + clusterCount + " clusters";
        }
        @Override public long entryOffset(long cluster) { return ExfatFat.this.entryOffset(cluster); }
    };

    /**
     * Follows the chain from {@code first}: {@code wanted} clusters exactly when {@code wanted >= 0}
     * (an error if it ends sooner), else to the end mark but no further than {@code maxClusters}.
     */
    List<ChainRuns.ClusterRun> chain(long first, long wanted, long maxClusters, String what, long entryOffset) throws IOException {
        if (wanted == 0) return List.of();
        if (!valid(first)) {
            throw new CorruptImageException(FORMAT, what, entryOffset,
                    "first cluster " + first + " is outside 2.." + (clusterCount + 1));
        }
        if (wanted > clusterCount) {
            throw new CorruptImageException(FORMAT, "directory entry of " + what, entryOffset, "the length needs "
                    + wanted + " clusters, more than the volume's " + clusterCount);
        }
        return ChainRuns.follow(links, first, wanted, maxClusters, FORMAT, what, entryOffset, "length");
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
