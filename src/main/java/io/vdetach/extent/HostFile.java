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
    private final long size;

    private HostFile(Path path, FileChannel channel, ByteBuffer memory, long size) {
        this.path = path;
        this.channel = channel;
        this.memory = memory;
        this.size = size;
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

    public Path path() { return path; }

    @Override
    public long size() { return size; }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset >= size || !dst.hasRemaining()) return 0;
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
    public List<Run> map(long offset, long length) {
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
