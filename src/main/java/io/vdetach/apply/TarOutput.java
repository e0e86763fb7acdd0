package io.vdetach.apply;

import io.vdetach.evidence.TarWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The archive's writer thread for {@code extract --tar}: the walker reads each file's next piece
 * while this thread hashes and writes the one before, so reading the image and writing the archive
 * overlap. Every {@link TarWriter} call runs here, in the order it was handed over; a few read
 * buffers circulate between the two threads (bounded memory). The first failure stops it and is
 * thrown to the walker at its next hand-over.
 */
final class TarOutput implements AutoCloseable {
    /** Read buffers: one being filled, one being written, one queued. */
    private static final int BUFFERS = 3;
    private static final int READ = 8 << 20;

    /** A step on the writer thread. */
    @FunctionalInterface
    interface Step {
        void run(TarWriter tar) throws IOException;
    }

    private static final Step STOP = t -> { };

    private final TarWriter tar;
    private final BlockingQueue<Step> steps = new ArrayBlockingQueue<>(2 * BUFFERS);
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    private final Thread thread;
    private volatile Throwable failure;

    TarOutput(TarWriter tar) {
        this.tar = tar;
        for (int i = 0; i < BUFFERS; i++) free.add(ByteBuffer.allocateDirect(READ));
        this.thread = new Thread(this::loop, "vdetach-tar-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            for (Step s; (s = steps.take()) != STOP; ) {
                if (failure == null) s.run(tar);
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            steps.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands a step over (waits while the writer is behind). */
    void then(Step s) throws IOException {
        rethrow();
        try {
            while (!steps.offer(s, 100, TimeUnit.MILLISECONDS)) rethrow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** A free read buffer, cleared (waits for the writer to give one back). */
    ByteBuffer buffer() throws IOException {
        try {
            ByteBuffer b;
            while ((b = free.poll(100, TimeUnit.MILLISECONDS)) == null) rethrow();
            return b.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** Gives a buffer back (on the writer thread, once written). */
    void recycle(ByteBuffer b) {
        free.add(b);
    }

    /** Waits until every step ran; throws the writer's failure. */
    void finish() throws IOException {
        then(STOP);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        rethrow();
    }

    private void rethrow() throws IOException {
        switch (failure) {
            case null -> { }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IOException(failure);
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
