package io.vdetach.evidence;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes text lines (a manifest's JSON Lines, a bodyfile) so that the output only ever holds
 * whole lines: lines are gathered and handed to the file in batches that end at a line's end,
 * each batch in one write. A run killed half way leaves complete lines only. Thread-safe: the
 * engine's writer threads finish entries concurrently. To a file, {@link #close()} forces it to
 * disk.
 */
public final class LineWriter implements AutoCloseable {
    /** Lines held before they are written: small enough to lose little on a crash, large enough to be cheap. */
    private static final int BATCH = 64 << 10;

    private final OutputStream out;
    private final FileChannel file;
    private final byte[] batch = new byte[BATCH];
    private int used;
    private long lines;

    private LineWriter(OutputStream out, FileChannel file) {
        this.out = out;
        this.file = file;
    }

    /** A new file (an existing one is refused: evidence is never overwritten). */
    public static LineWriter create(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new LineWriter(Channels.newOutputStream(ch), ch);
    }

    /** A stream that is not ours to close (stdout): flushed, never closed. */
    public static LineWriter to(OutputStream stream) {
        return new LineWriter(stream, null);
    }

    public synchronized long lines() { return lines; }

    /** Adds one line; {@code text} must not hold a line break (JSON and bodyfile lines escape theirs). */
    public synchronized void line(String text) throws IOException {
        byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) throw new IllegalArgumentException("a line with a line break");
        if (used + b.length > BATCH) flushBatch();
        if (b.length > BATCH) {
            out.write(b);
        } else {
            System.arraycopy(b, 0, batch, used, b.length);
            used += b.length;
        }
        lines++;
    }

    /** Writes the lines gathered so far (whole lines only). */
    public synchronized void flush() throws IOException {
        flushBatch();
        out.flush();
    }

    private void flushBatch() throws IOException {
        if (used == 0) return;
        out.write(batch, 0, used);
        used = 0;
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        if (file != null) {
            file.force(true);
            file.close();
        }
    }
}
