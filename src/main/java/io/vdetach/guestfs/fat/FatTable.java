package io.vdetach.guestfs.fat;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The FAT in use, read in chunks through the block cache, and the cluster chains it links.
 * Chains come back as runs of consecutive clusters, checked against the cluster count and
 * for repeats (a cycle), so callers never loop on a hostile FAT.
 */
final class FatTable {
    private static final String FORMAT = BiosParameterBlock.FORMAT;
    private static final int CHUNK = 64 << 10;

    private final Layer volume;
    private final FatLayout layout;
    private final BlockCache.Region<byte[]> chunks;

    FatTable(Layer volume, FatLayout layout, BlockCache cache) {
        this.volume = volume;
        this.layout = layout;
        this.chunks = cache.region("fat FAT chunks of " + volume.describe(), c -> c.length);
    }

    /** The raw FAT entry of {@code cluster}. */
    long entry(long cluster) throws IOException {
        return switch (layout.type()) {
            case FAT12 -> {
                long at = cluster + cluster / 2; // 1.5 bytes per entry (fatgen103 section 4)
                int v = (fatByte(at) & 0xff) | (fatByte(at + 1) & 0xff) << 8;
                yield (cluster & 1) == 0 ? v & 0xfff : v >>> 4;
            }
            case FAT16 -> {
                long at = cluster * 2; // 2-byte entries never straddle a chunk
                byte[] c = chunk(at);
                int i = (int) (at % CHUNK);
                yield (c[i] & 0xff) | (c[i + 1] & 0xff) << 8;
            }
            case FAT32 -> {
                long at = cluster * 4;
                byte[] c = chunk(at);
                int i = (int) (at % CHUNK);
                long v = (c[i] & 0xffL) | (c[i + 1] & 0xffL) << 8 | (c[i + 2] & 0xffL) << 16 | (c[i + 3] & 0xffL) << 24;
                yield v & 0x0FFFFFFFL; // the top 4 bits are reserved
            }
        };
    }

    private byte fatByte(long at) throws IOException {
        return chunk(at)[(int) (at % CHUNK)];
    }

    /** The cached chunk holding FAT byte {@code at}. */
    private byte[] chunk(long at) throws IOException {
        return chunks.get(at / CHUNK, chunk -> {
            long start = chunk * CHUNK;
            return volume.readBytes(layout.fatOffset() + start, (int) Math.min(CHUNK, layout.fatBytes() - start)).array();
        });
    }

    /**
     * Follows the chain from {@code first}. With {@code wanted >= 0} it stops after that many
     * clusters (a file: its size says how many) and it is an error for the chain to end sooner;
     * with {@code wanted < 0} it runs to the end-of-chain mark (a directory) but no further than
     * {@code maxClusters}.
     *
     * @param what the entry the chain belongs to, for messages
     * @param entryOffset the byte offset of that entry's directory entry, for messages
     */
    List<ChainRuns.ClusterRun> chain(long first, long wanted, long maxClusters, String what, long entryOffset) throws IOException {
        if (wanted == 0) return List.of();
        if (!layout.validCluster(first)) {
            throw new CorruptImageException(FORMAT, "directory entry of " + what, entryOffset,
                    "first cluster " + first + " is outside 2.." + (layout.clusterCount() + 1));
        }
        if (wanted > layout.clusterCount()) {
            throw new CorruptImageException(FORMAT, "directory entry of " + what, entryOffset, "the length needs "
                    + wanted + " clusters, more than the volume's " + layout.clusterCount());
        }
        return ChainRuns.follow(links, first, wanted, maxClusters, FORMAT, what, entryOffset, "size");
    }

    private final ChainRuns.Links links = new ChainRuns.Links() {
        @Override public long next(long cluster) throws IOException { return entry(cluster); }
        @Override public boolean isEndOfChain(long entry) { return entry >= layout.type().endOfChain; }
        @Override public boolean valid(long cluster) { return layout.validCluster(cluster); }
        @Override public String invalidTarget(long entry) {
            return entry == 0 ? "a free cluster" : entry == layout.type().bad ? "a bad-cluster mark"
                    : "cluster " + entry + ", beyond the " + layout.clusterCount() + " clusters";
        }
        @Override public long entryOffset(long cluster) { return fatEntryOffset(cluster); }
    };

    private long fatEntryOffset(long cluster) {
        long rel = switch (layout.type()) { case FAT12 -> cluster + cluster / 2; case FAT16 -> cluster * 2; case FAT32 -> cluster * 4; };
        return layout.fatOffset() + rel;
    }

}
