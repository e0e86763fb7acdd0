package io.vdetach.apply.offline;

import io.vdetach.apply.offline.ext4.BlockRun;
import io.vdetach.apply.offline.ext4.Ext4Volume;
import io.vdetach.apply.offline.ext4.ExtentTreeBuilder;
import io.vdetach.error.HostException;
import io.vdetach.guestfs.ext.codec.Ext4Extent;
import io.vdetach.guestfs.ext.codec.Ext4Inode;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;

/**
 * Where new blocks come from: first a pool of the image's own blocks (already marked used, so
 * taking one changes no bitmap), then the filesystem's free space (marked used as taken).
 * What is left in the pool at the end is freed by the caller.
 */
final class BlockSource {
    private final Ext4Volume fs;
    /** Runs of image blocks, consumed first to last. */
    private final ArrayDeque<BlockRun> pool = new ArrayDeque<>();
    private long freeCursor;

    BlockSource(Ext4Volume fs) {
        this.fs = fs;
    }

    void addToPool(Collection<BlockRun> runs) {
        for (BlockRun r : runs) if (r.count() > 0) pool.add(r);
    }

    /** Blocks left in the pool. */
    long poolBlocks() {
        long n = 0;
        for (BlockRun r : pool) n += r.count();
        return n;
    }

    /** Empties the pool, returning what was left in it. */
    List<BlockRun> drainPool() {
        List<BlockRun> left = List.copyOf(pool);
        pool.clear();
        return left;
    }

    /** At most {@code max} blocks from the front of the pool; null when it is empty. */
    BlockRun takeFromPool(long max) {
        BlockRun r = pool.pollFirst();
        if (r == null) return null;
        long n = Math.min(max, r.count());
        if (n < r.count()) pool.addFirst(new BlockRun(r.start() + n, r.count() - n));
        return new BlockRun(r.start(), n);
    }

    BlockRun takeFree(long max) throws IOException {
        BlockRun r = fs.findFree(freeCursor, (int) Math.min(max, Integer.MAX_VALUE));
        if (r == null) throw new HostException(fs.name() + ": no free blocks left in the host filesystem");
        fs.setBlocks(r.start(), r.count(), true);
        freeCursor = r.end();
        return r;
    }

    BlockRun take(long max) throws IOException {
        BlockRun r = takeFromPool(max);
        return r != null ? r : takeFree(max);
    }

    long allocBlock() throws IOException {
        return take(1).start();
    }

    /** Builds and stores an extent tree for {@code owner}, its blocks taken from here. */
    ExtentTreeBuilder.Built writeTree(List<Ext4Extent> extents, Ext4Inode owner) throws IOException {
        Integer seed = fs.csum() ? owner.csumSeed(fs.superblock()) : null;
        return ExtentTreeBuilder.build(extents, fs.blockSize(), seed, new ExtentTreeBuilder.BlockSink() {
            @Override
            public long allocate() throws IOException { return allocBlock(); }

            @Override
            public void write(long block, byte[] data) { fs.put(block, data); }
        });
    }
}
