package io.vdetach.apply;

import io.vdetach.error.HostException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A scratch file for what a run would otherwise hold in memory per entry (the plan of
 * {@code detach --streaming}): written front to back, read back from any offset. It lives in
 * {@code $TMPDIR} (else {@code java.io.tmpdir}), as {@code sort(1)}'s spill files do, not beside
 * DEST: a streaming detach runs because DEST's filesystem is short of space, and the spill must
 * not count against its window. The name is removed as soon as the file is open, so nothing is
 * left behind however the run ends.
 */
final class SpillFile implements AutoCloseable {
    /** Bytes gathered before one write, and read at once by each reader. */
    static final int BUFFER = 1 << 16;

    private final FileChannel channel;
    private final Appender appender = new Appender();
    private final DataOutputStream out = new DataOutputStream(appender);

    private SpillFile(FileChannel channel) {
        this.channel = channel;
    }

    /** @param what the name's prefix, for whoever lists the directory while it is being created */
    static SpillFile create(String what) throws IOException {
        String env = System.getenv("TMPDIR");
        Path dir = Path.of(env != null && !env.isEmpty() ? env : System.getProperty("java.io.tmpdir"));
        Path p;
        try {
            p = Files.createTempFile(dir, "vdetach-" + what + "-", ".spill");
        } catch (IOException e) {
            throw new HostException("cannot create a scratch file in " + dir + " (set TMPDIR to a directory with space): " + e, e);
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Files.deleteIfExists(p);
        }
        return new SpillFile(ch);
    }

    /** Appends at the end; bytes are written in {@link #BUFFER} steps, all of them by {@link #flush}. */
    DataOutputStream output() {
        return out;
    }

    /** Where the next byte appended goes. */
    long position() {
        return appender.total;
    }

    /** Writes what is gathered: readers see every byte appended before it. */
    void flush() throws IOException {
        appender.flush();
    }

    /** The bytes {@code [from, to)}, read {@code buffer} bytes at a time. */
    DataInputStream input(long from, long to, int buffer) {
        return new DataInputStream(new Reader(from, to, buffer));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private final class Appender extends OutputStream {
        private final ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        /** Bytes appended, written or gathered. */
        long total;
        private long flushed;

        @Override
        public void write(int b) throws IOException {
            if (!buf.hasRemaining()) flush();
            buf.put((byte) b);
            total++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (!buf.hasRemaining()) flush();
                int n = Math.min(len, buf.remaining());
                buf.put(b, off, n);
                off += n;
                len -= n;
                total += n;
            }
        }

        @Override
        public void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) flushed += channel.write(buf, flushed);
            buf.clear();
        }
    }

    private final class Reader extends InputStream {
        private final ByteBuffer buf;
        private long next;
        private final long end;

        Reader(long from, long to, int size) {
            this.buf = ByteBuffer.allocate((int) Math.max(1, Math.min(size, to - from))).limit(0);
            this.next = from;
            this.end = to;
        }

        private boolean fill() throws IOException {
            if (buf.hasRemaining()) return true;
            if (next >= end) return false;
            buf.clear().limit((int) Math.min(buf.capacity(), end - next));
            while (buf.hasRemaining()) {
                int n = channel.read(buf, next);
                if (n < 0) throw new HostException("scratch file ends at " + next + ", before " + end);
                next += n;
            }
            buf.flip();
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (!fill()) return -1;
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
    }
}
