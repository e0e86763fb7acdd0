package io.vdetach.extent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A regular file on the host: the bottom of every stack. Its map is itself. Opened
 * read-only; {@code detach} deletes it through its path, never through this object.
 */
public final class HostFile implements Layer, AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer memory;
    /** For a file of an unmounted filesystem: its bytes, read from the device through that filesystem's extent map. */
    private final Layer storage;
    private final long size;
    /** For a slice: the whole file and where the slice starts in it; null and 0 for a whole file. */
    private final HostFile whole;
    private final long base;
    private final String name;

    private HostFile(Path path, FileChannel channel, ByteBuffer memory, long size) {
        this(path, channel, memory, null, size, null, 0, null);
    }

    private HostFile(Path path, FileChannel channel, ByteBuffer memory, Layer storage, long size, HostFile whole, long base,
                     String name) {
        this.path = path;
        this.channel = channel;
        this.memory = memory;
        this.storage = storage;
        this.size = size;
        this.whole = whole;
        this.base = base;
        this.name = name;
    }

    /** Opens {@code path} read-only; it must be a regular file. */
    public static HostFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        return new HostFile(path, ch, null, ch.size());
    }

    /**
     * Bytes in memory standing for a file named {@code path} (which need not exist): for fuzzing
     * and tests, so a parser runs without touching the disk. Files it names are looked up on disk.
     */
    public static HostFile inMemory(Path path, byte[] bytes) {
        return new HostFile(path, null, ByteBuffer.wrap(bytes).asReadOnlyBuffer(), bytes.length);
    }

    /**
     * {@code length} bytes from {@code offset} of this file as a file of their own, named {@code name}
     * in messages (a disk stored inside a tar member): reads land in this file, and its map points
     * into this file at the real offsets, so runs found through a slice share like any other.
     * Closing a slice does nothing; the whole file is closed by its owner.
     */
    public HostFile slice(long offset, long length, String name) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("slice [" + offset + ", +" + length + ") of a " + size + "-byte file");
        }
        HostFile root = whole == null ? this : whole;
        return new HostFile(path, null, null, null, length, root, base + offset, name);
    }

    /** The whole file a slice was cut from; null for a whole file. */
    public HostFile whole() { return whole; }

    /**
     * A file of a host filesystem that is not mounted, named {@code path}, whose bytes
     * {@code storage} reads from the device through that filesystem's extent map (runs onto a
     * {@link HostFile} of the device). Its {@link #map} is the storage's, so a composition goes on
     * down to the device's blocks. Closing it leaves the storage open.
     */
    public static HostFile within(Path path, Layer storage) {
        return new HostFile(path, null, null, storage, storage.size(), null, 0, null);
    }

    /** True for a whole file of the running system or in memory: its map is itself, compositions stop here. */
    public boolean isBottom() { return storage == null && whole == null; }

    public Path path() { return path; }

    @Override
    public long size() { return size; }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset >= size || !dst.hasRemaining()) return 0;
        int want = (int) Math.min(dst.remaining(), size - offset);
        if (whole != null) {
            int limit = dst.limit();
            dst.limit(dst.position() + want);
            try {
                return whole.read(base + offset, dst);
            } finally {
                dst.limit(limit);
            }
        }
        if (memory != null) {
            dst.put(memory.slice((int) offset, want));
            return want;
        }
        if (storage != null) {
            int limit = dst.limit();
            dst.limit(dst.position() + want);
            try {
                return storage.read(offset, dst);
            } finally {
                dst.limit(limit);
            }
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
        long end = Math.min(size, offset + length);
        if (end <= offset) return List.of();
        if (whole != null) return List.of(new Run.Mapped(offset, end - offset, whole, base + offset));
        if (storage != null) return storage.map(offset, end - offset);
        return List.of(new Run.Mapped(offset, end - offset, this, offset));
    }

    @Override
    public String describe() { return name == null ? path.toString() : path + " member " + name; }

    @Override
    public void close() throws IOException {
        if (channel != null && whole == null) channel.close();
    }

    @Override
    public String toString() { return "HostFile[" + path + "]"; }
}
