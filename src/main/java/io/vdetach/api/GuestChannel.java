package io.vdetach.api;

import io.vdetach.error.VdetachException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A guest file's content as a read-only {@link FileChannel}: positional reads go straight to the
 * content layer (holes read as zeros, compressed or encrypted runs decoded), so any number of
 * channels, on any number of threads, read one image at once. Relative reads of one channel
 * share its position and are serialised on it.
 */
final class GuestChannel extends FileChannel {
    /** Bytes read per step of {@link #transferTo}. */
    private static final int TRANSFER_STEP = 1 << 20;

    private final Layer content;
    private long position;

    GuestChannel(Layer content) {
        this.content = content;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        synchronized (this) {
            int n = read(dst, position);
            if (n > 0) position += n;
            return n;
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, dsts.length);
        synchronized (this) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                if (!dsts[i].hasRemaining()) continue;
                int n = read(dsts[i], position);
                if (n < 0) return total == 0 ? -1 : total;
                position += n;
                total += n;
                if (dsts[i].hasRemaining()) break;
            }
            return total;
        }
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
        if (pos < 0) throw new IllegalArgumentException("negative position " + pos);
        ensureOpen();
        if (pos >= content.size()) return -1;
        if (!dst.hasRemaining()) return 0;
        try {
            int n = content.read(pos, dst);
            if (n <= 0) throw Failures.of(FailureKind.CORRUPT, content.describe() + ": no bytes at offset " + pos + " of " + content.size());
            return n;
        } catch (VdetachException e) {
            throw Failures.translate(e);
        }
    }

    @Override
    public synchronized long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        if (newPosition < 0) throw new IllegalArgumentException("negative position " + newPosition);
        ensureOpen();
        synchronized (this) {
            position = newPosition;
        }
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return content.size();
    }

    @Override
    public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
        if (pos < 0 || count < 0) throw new IllegalArgumentException("negative position or count");
        ensureOpen();
        long done = 0;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_STEP, Math.max(1, count)));
        while (done < count && pos + done < content.size()) {
            buf.clear().limit((int) Math.min(buf.capacity(), count - done));
            int n = read(buf, pos + done);
            if (n <= 0) break;
            buf.flip();
            while (buf.hasRemaining()) target.write(buf);
            done += n;
        }
        return done;
    }

    @Override
    public int write(ByteBuffer src) { throw new NonWritableChannelException(); }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) { throw new NonWritableChannelException(); }

    @Override
    public int write(ByteBuffer src, long pos) { throw new NonWritableChannelException(); }

    @Override
    public FileChannel truncate(long size) { throw new NonWritableChannelException(); }

    @Override
    public long transferFrom(ReadableByteChannel src, long pos, long count) { throw new NonWritableChannelException(); }

    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long pos, long size) {
        throw new UnsupportedOperationException("a guest file is not a host file: it cannot be mapped (read it)");
    }

    @Override
    public FileLock lock(long pos, long size, boolean shared) throws IOException {
        return tryLock(pos, size, shared);
    }

    /** A shared lock always succeeds (nothing writes a guest file); an exclusive one needs a writable channel. */
    @Override
    public FileLock tryLock(long pos, long size, boolean shared) throws IOException {
        if (!shared) throw new NonWritableChannelException();
        ensureOpen();
        return new FileLock(this, pos, size, true) {
            private volatile boolean released;

            @Override
            public boolean isValid() { return !released && channel().isOpen(); }

            @Override
            public void release() { released = true; }
        };
    }

    @Override
    protected void implCloseChannel() {
        // the layers belong to the image, which outlives its channels
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }
}
