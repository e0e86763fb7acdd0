package io.vdetach.apply.offline.device;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A block device or a regular file holding a filesystem, read and written with pread/pwrite. */
public final class FileBlockDevice implements BlockDevice {
    private final FileChannel channel;
    private final int blockSize;
    private final long blockCount;
    private final boolean writable;

    private FileBlockDevice(FileChannel channel, int blockSize, long size, boolean writable) {
        this.channel = channel;
        this.blockSize = blockSize;
        this.blockCount = size / blockSize;
        this.writable = writable;
    }

    /** Opens {@code path}; {@code writable} false gives a device whose writes fail. */
    public static FileBlockDevice open(Path path, int blockSize, boolean writable) throws IOException {
        FileChannel ch = writable
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ);
        return new FileBlockDevice(ch, blockSize, ch.size(), writable);
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
        long pos = block * blockSize;
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
        long pos = block * blockSize;
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
