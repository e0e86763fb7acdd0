package io.vdetach.apply.offline.device;

import java.io.IOException;

/** A device that passes every call to {@code inner}; decorators override what they watch or change. */
abstract class ForwardingDevice implements BlockDevice {
    protected final BlockDevice inner;

    ForwardingDevice(BlockDevice inner) { this.inner = inner; }

    @Override
    public int blockSize() { return inner.blockSize(); }

    @Override
    public long blockCount() { return inner.blockCount(); }

    @Override
    public void read(long block, byte[] dst) throws IOException { inner.read(block, dst); }

    @Override
    public void write(long block, byte[] src) throws IOException { inner.write(block, src); }

    @Override
    public void willWrite(long[] blocks) throws IOException { inner.willWrite(blocks); }

    @Override
    public void flush() throws IOException { inner.flush(); }

    @Override
    public void close() throws IOException { inner.close(); }
}
