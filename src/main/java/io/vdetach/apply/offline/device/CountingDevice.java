package io.vdetach.apply.offline.device;

import java.io.IOException;

/** Counts block writes and reads passing through (for the report and the benchmarks). */
public final class CountingDevice extends ForwardingDevice {
    private long writes;
    private long reads;

    public CountingDevice(BlockDevice inner) { super(inner); }

    public long writes() { return writes; }

    public long reads() { return reads; }

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
}
