package io.vdetach.apply.offline;

import io.vdetach.apply.offline.ext4.Ext4Inode;
import io.vdetach.apply.offline.ext4.Ext4Volume;
import io.vdetach.apply.offline.ext4.Extent;
import io.vdetach.apply.offline.ext4.ExtentTree;
import io.vdetach.error.HostException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where new blocks come from: first a pool of the image's own blocks (already marked used, so
 * taking one changes no bitmap), then the filesystem's free space (marked used as taken).
 * What is left in the pool at the end is freed by the caller.
 */
final class BlockSource {
    private final Ext4Volume fs;
    private final int bs;

    BlockSource(Ext4Volume fs) {
        this.fs = fs;
        this.bs = fs.blockSize();
    }


    /** Ranges {start, length} of image blocks, consumed first to last. */
    final ArrayList<long[]> pool = new ArrayList<>();
    int poolHead;
    private long freeCursor;

    long[] takeFromPool(long max) {
        while (poolHead < pool.size()) {
            long[] r = pool.get(poolHead);
            if (r[1] == 0) {
                poolHead++;
                continue;
            }
            long n = Math.min(max, r[1]);
            long[] got = {r[0], n};
            r[0] += n;
            r[1] -= n;
            return got;
        }
        return null;
    }

    long[] takeFree(long max) throws IOException {
        long[] r = fs.findFree(freeCursor, (int) Math.min(max, Integer.MAX_VALUE));
        if (r == null) throw new HostException(fs.name() + ": no free blocks left in the host filesystem");
        fs.setBlocks(r[0], r[1], true);
        freeCursor = r[0] + r[1];
        return r;
    }

    long[] take(long max, boolean poolAllowed) throws IOException {
        long[] r = poolAllowed ? takeFromPool(max) : null;
        return r != null ? r : takeFree(max);
    }

    long allocBlock() throws IOException {
        return take(1, true)[0];
    }

    /** Builds and stores an extent tree for {@code owner}, its blocks taken from here. */
    ExtentTree.Built writeTree(List<Extent> extents, Ext4Inode owner) throws IOException {
        int seed = owner.csumSeed(fs.seed());
        return ExtentTree.build(extents, bs, new ExtentTree.BlockSink() {
            @Override
            public long allocate() throws IOException { return allocBlock(); }

            @Override
            public void write(long block, byte[] data) {
                if (fs.csum()) ExtentTree.setTail(data, seed);
                System.arraycopy(data, 0, fs.freshBlock(block), 0, bs);
            }
        });
    }

}
