package io.vdetach.extent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A layer whose reads go through a {@link BlockCache}: aligned blocks of the layer below are
 * kept, so metadata that is read again (tables, inode blocks, MFT records, directory blocks)
 * costs a lookup, not a system call. Its map is the map of the layer below: the same bytes in
 * the same places. Long reads of whole blocks (file data) pass through without filling the cache.
 */
public final class CachedLayer implements Layer {
    /** Reads at least this long skip the cache: data, not metadata, and they would evict the tables. */
    private static final int PASS_THROUGH = 256 << 10;

    private final Layer below;
    private final int blockSize;
    private final BlockCache.Region<byte[]> blocks;

    /**
     * @param blockSize the unit cached, a power of two (the structure size the format reads: 4 KiB
     *     for most, a cluster or block where that is larger)
     */
    public CachedLayer(Layer below, int blockSize, BlockCache cache) {
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) throw new IllegalArgumentException("block size " + blockSize);
        this.below = below;
        this.blockSize = blockSize;
        this.blocks = cache.region("blocks of " + below.describe(), b -> b.length);
    }

    public Layer below() { return below; }

    public BlockCache.Region<byte[]> region() { return blocks; }

    @Override
    public long size() { return below.size(); }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        long size = size();
        if (offset < 0) throw new IllegalArgumentException("negative offset");
        if (offset >= size || !dst.hasRemaining()) return 0;
        int want = (int) Math.min(dst.remaining(), size - offset);
        if (want >= PASS_THROUGH) {
            int limit = dst.limit();
            dst.limit(dst.position() + want);
            try {
                return below.read(offset, dst);
            } finally {
                dst.limit(limit);
            }
        }
        int done = 0;
        while (done < want) {
            long pos = offset + done;
            long blockNo = pos / blockSize;
            byte[] block = blocks.get(blockNo, this::load);
            int at = (int) (pos - blockNo * blockSize);
            int n = Math.min(want - done, block.length - at);
            if (n <= 0) break; // the layer below ended early
            dst.put(block, at, n);
            done += n;
        }
        return done;
    }

    private byte[] load(long blockNo) throws IOException {
        long start = blockNo * blockSize;
        int len = (int) Math.min(blockSize, size() - start);
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (below.read(start + b.position(), b) <= 0) break;
        }
        return b.position() == len ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
    }

    @Override
    public List<Run> map(long offset, long length) throws IOException {
        return below.map(offset, length);
    }

    @Override
    public String describe() { return below.describe(); }
}
