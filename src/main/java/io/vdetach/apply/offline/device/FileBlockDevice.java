package io.vdetach.apply.offline.device;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A block device, a regular file, or a partition of either ({@code offset}, {@code length} in
 * bytes), read and written with pread/pwrite; block 0 is the partition's first block.
 */
public final class FileBlockDevice implements BlockDevice {
    private final FileChannel channel;
    private final int blockSize;
    private final long blockCount;
    private final boolean writable;
    private final long offset;

    private FileBlockDevice(FileChannel channel, int blockSize, long offset, long length, boolean writable) {
        this.channel = channel;
        this.blockSize = blockSize;
        this.offset = offset;
        this.blockCount = length / blockSize;
        this.writable = writable;
    }

    /** Opens all of {@code path}; {@code writable} false gives a device whose writes fail. */
    public static FileBlockDevice open(Path path, int blockSize, boolean writable) throws IOException {
        return open(path, blockSize, writable, 0, -1);
    }

    /** Opens {@code [offset, offset + length)} of {@code path} ({@code length} -1: to the end). */
    public static FileBlockDevice open(Path path, int blockSize, boolean writable, long offset, long length) throws IOException {
        FileChannel ch = writable
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ);
        long avail = Math.max(0, ch.size() - offset);
        return new FileBlockDevice(ch, blockSize, offset, length < 0 ? avail : Math.min(length, avail), writable);
    }

    /** Size in bytes of the file or device at {@code path} (block devices answer through the JDK's ioctl). */
    public static long sizeOf(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return ch.size();
        }
    }

    @Override
    public int blockSize() { return blockSize; }

    @Override
    public long blockCount() { return blockCount; }

    @Override
    public void read(long block, byte[] dst) throws IOException {
        check(block, dst);
        ByteBuffer b = ByteBuffer.wrap(dst);
        long pos = offset + block * blockSize;
        while (b.hasRemaining()) {
            int n = channel.read(b, pos + b.position());
            if (n < 0) throw new EOFException("device ends inside block " + block);
        }
    }

    @Override
    public void write(long block, byte[] src) throws IOException {
        if (!writable) throw new IOException("device opened read-only (dry run) but block " + block + " was written");
        check(block, src);
        ByteBuffer b = ByteBuffer.wrap(src);
        long pos = offset + block * blockSize;
        while (b.hasRemaining()) channel.write(b, pos + b.position());
    }

    private void check(long block, byte[] buf) {
        if (buf.length != blockSize) throw new IllegalArgumentException("buffer of " + buf.length + " bytes, block is " + blockSize);
        if (block < 0 || block >= blockCount) {
            throw new IllegalArgumentException("block " + block + " outside the device (" + blockCount + " blocks)");
        }
    }

    @Override
    public void flush() throws IOException {
        if (writable) channel.force(false);
    }

    @Override
    public void close() throws IOException { channel.close(); }
}
