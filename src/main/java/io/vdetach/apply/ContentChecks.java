package io.vdetach.apply;

import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * verify's content comparisons on a few threads, so that several reads of the image and of DEST
 * are outstanding at once: on a cold disk each small file costs a random read of each, and one at
 * a time verify is bound by their latency (~2 ms an entry at a million files). At most
 * {@link #IN_FLIGHT} checks are queued or running (the walker waits for a free one), each thread
 * compares through its own two buffers: memory is bounded by the thread count, not the tree.
 */
final class ContentChecks implements AutoCloseable {
    /** One comparison; it must close what it holds when {@code buffers} is null (cancelled). */
    interface Check {
        void run(Buffers buffers);
    }

    /** The image's and DEST's bytes of one chunk, one pair a thread (a pair per file cost 2.6 ms a file). */
    record Buffers(ByteBuffer image, ByteBuffer dest) {
        static final int CHUNK = 1 << 20;

        static Buffers allocate() {
            return new Buffers(ByteBuffer.allocate(CHUNK), ByteBuffer.allocate(CHUNK));
        }
    }

    /**
     * Reader threads: the work is waiting for reads, the CPU part is a compare. Measured at a million
     * entries (docs/benchmarks.md, "verify at a million"): 2 threads 145 s, 4 threads 88-114 s, 8 and
     * 16 within that scatter; the walker then mostly waits for a free slot, the readers in DEST's pread.
     */
    static final int THREADS = 4;
    /** Checks queued or running: twice the threads keeps each busy while the walker catches up. */
    static final int IN_FLIGHT = 2 * THREADS;

    private final ExecutorService pool;
    private final Semaphore slots = new Semaphore(IN_FLIGHT);
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::allocate);
    private volatile boolean cancelled;
    private volatile Error fatal;

    /** @param threads 0: every check runs on the caller's thread */
    ContentChecks(int threads) {
        this.pool = threads <= 0 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vdetach-verify");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code check} here, now: for files with nothing to read. */
    void runHere(Check check) {
        rethrowFatal();
        check.run(buffers.get());
    }

    /** Runs {@code check} on a reader thread; waits while {@link #IN_FLIGHT} are queued or running. */
    void submit(Check check) {
        rethrowFatal();
        if (pool == null) {
            check.run(buffers.get());
            return;
        }
        slots.acquireUninterruptibly();
        try {
            pool.execute(() -> {
                try {
                    check.run(cancelled ? null : buffers.get());
                } catch (Error e) {
                    if (fatal == null) fatal = e;
                } finally {
                    slots.release();
                }
            });
        } catch (RuntimeException e) {
            slots.release();
            check.run(null);
            throw e;
        }
    }

    /** Waits until every submitted check has run; then rethrows an error (OutOfMemoryError …) one of them hit. */
    void drain() {
        slots.acquireUninterruptibly(IN_FLIGHT);
        slots.release(IN_FLIGHT);
        rethrowFatal();
    }

    private void rethrowFatal() {
        Error e = fatal;
        if (e != null) throw e;
    }

    /** Checks not yet started only close what they hold; waits for the running ones. */
    @Override
    public void close() {
        if (pool == null) return;
        cancelled = true;
        pool.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.SECONDS)) break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
