package io.vdetach.apply.offline.device;

import java.io.IOException;

/** Counts block writes and reads passing through (for the report and the benchmarks). */
public final class CountingDevice implements BlockDevice {
    private final BlockDevice inner;
    private long writes;
    private long reads;

    public CountingDevice(BlockDevice inner) { this.inner = inner; }

    public long writes() { return writes; }

    public long reads() { return reads; }

    @Override
    public int blockSize() { return inner.blockSize(); }

    @Override
    public long blockCount() { return inner.blockCount(); }

    @Override
    public void read(long block, byte[] dst) throws IOException {
        reads++;
        inner.read(block, dst);
    }

    @Override
    public void write(long block, byte[] src) throws IOException {
        writes++;
        inner.write(block, src);
    }

    @Override
    public void willWrite(long[] blocks) throws IOException { inner.willWrite(blocks); }

    @Override
    public void flush() throws IOException { inner.flush(); }

    @Override
    public void close() throws IOException { inner.close(); }
}
