package io.vdetach.extent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A regular file on the host: the bottom of every stack. Its map is itself, except for a file
 * {@link #within} an unmounted host filesystem, whose map says where its bytes lie on the device.
 * Opened read-only; {@code detach} deletes it through its path, never through this object.
 */
public final class HostFile implements Layer, AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer memory;
    /** Where the bytes of a file {@link #within} a device's filesystem are read; null otherwise. */
    private final Layer storage;
    private final long size;

    private HostFile(Path path, FileChannel channel, ByteBuffer memory, Layer storage, long size) {
        this.path = path;
        this.channel = channel;
        this.memory = memory;
        this.storage = storage;
        this.size = size;
    }

    /** Opens {@code path} read-only; it must be a regular file. */
    public static HostFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        return new HostFile(path, ch, null, null, ch.size());
    }

    /**
     * Bytes in memory standing for a file named {@code path} (which need not exist): for fuzzing
     * and tests, so a parser runs without touching the disk. Files it names are looked up on disk.
     */
    public static HostFile inMemory(Path path, byte[] bytes) {
        return new HostFile(path, null, ByteBuffer.wrap(bytes).asReadOnlyBuffer(), null, bytes.length);
    }

    /**
     * A file of a host filesystem that is not mounted, named {@code path}, whose bytes
     * {@code storage} reads from the device through that filesystem's extent map (runs onto a
     * {@link HostFile} of the device). Its {@link #map} is the storage's, so a composition goes on
     * down to the device's blocks. Closing it leaves the storage open.
     */
    public static HostFile within(Path path, Layer storage) {
        return new HostFile(path, null, null, storage, storage.size());
    }

    /** True for a file of the running system or in memory: its map is itself, compositions stop here. */
    public boolean isBottom() { return storage == null; }

    public Path path() { return path; }

    @Override
    public long size() { return size; }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset >= size || !dst.hasRemaining()) return 0;
        if (storage != null) return storage.read(offset, dst);
        int want = (int) Math.min(dst.remaining(), size - offset);
        if (memory != null) {
            dst.put(memory.slice((int) offset, want));
            return want;
        }
        int limit = dst.limit();
        dst.limit(dst.position() + want);
        try {
            int total = 0;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, offset + total);
                if (n < 0) break;
                total += n;
            }
            return total;
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public List<Run> map(long offset, long length) throws IOException {
        if (storage != null) return storage.map(offset, length);
        long end = Math.min(size, offset + length);
        if (end <= offset) return List.of();
        return List.of(new Run.Mapped(offset, end - offset, this, offset));
    }

    @Override
    public String describe() { return path.toString(); }

    @Override
    public void close() throws IOException {
        if (channel != null) channel.close();
    }

    @Override
    public String toString() { return "HostFile[" + path + "]"; }
}
