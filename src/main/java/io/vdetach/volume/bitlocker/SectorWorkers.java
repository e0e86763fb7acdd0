package io.vdetach.volume.bitlocker;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spreads the pieces of one large read over the reading thread and one helper thread per spare
 * core (shared by every decrypted volume of the process, daemon threads, made on first use).
 * Pieces are taken from a shared counter, so a helper that the scheduler starts late (a busy
 * machine) takes fewer of them and the reader never waits for work it could do itself.
 */
final class SectorWorkers {
    private SectorWorkers() {}

    /** One piece of work: read and decrypt piece {@code i}. */
    interface Piece {
        void run(int i) throws IOException;
    }

    private static final int HELPERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
    private static final ExecutorService POOL = HELPERS == 0 ? null : Executors.newFixedThreadPool(HELPERS, r -> {
        Thread t = new Thread(r, "vdetach-decrypt");
        t.setDaemon(true);
        return t;
    });

    /** Runs pieces {@code 0 .. count-1}, each exactly once, and returns when all are done. */
    static void run(int count, Piece piece) throws IOException {
        int helpers = Math.min(HELPERS, count - 1);
        if (helpers <= 0) {
            for (int i = 0; i < count; i++) piece.run(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        @SuppressWarnings("unchecked")
        Future<Void>[] started = new Future[helpers];
        for (int h = 0; h < helpers; h++) {
            started[h] = POOL.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < count; ) piece.run(i);
                return null;
            });
        }
        Throwable failed = null;
        try {
            for (int i; (i = next.getAndIncrement()) < count; ) piece.run(i);
        } catch (IOException | RuntimeException e) {
            failed = e;
            next.set(count); // the helpers stop after their current piece
        }
        for (Future<Void> f : started) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failed == null) failed = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failed == null) failed = new java.io.InterruptedIOException("interrupted while decrypting");
            }
        }
        if (failed instanceof IOException e) throw e;
        if (failed instanceof RuntimeException e) throw e;
        if (failed instanceof Error e) throw e;
        if (failed != null) throw new IllegalStateException(failed);
    }
}
