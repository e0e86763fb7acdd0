package io.vdetach.apply;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Writer threads for file tasks: the walker reads the guest and plans while these make the
 * system calls. A full queue makes the walker run the task itself (back-pressure).
 */
final class Workers implements AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final ThreadLocal<ContentWriter> writers;

    Workers(int threads, java.util.function.Supplier<ContentWriter> writer) {
        this.writers = ThreadLocal.withInitial(writer);
        this.pool = threads <= 0 ? null : new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES,
                new ArrayBlockingQueue<>(1024), r -> {
                    Thread t = new Thread(r, "vdetach-writer");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    private volatile RuntimeException fatal;

    /** Records the first failure that must stop the whole run; the walker rethrows it. */
    void fail(RuntimeException e) {
        if (fatal == null) fatal = e;
    }

    private void rethrowFatal() {
        RuntimeException e = fatal;
        if (e != null) throw e;
    }

    /** The calling thread's content writer. */
    ContentWriter writer() {
        return writers.get();
    }

    /** Runs {@code task} on a writer thread, or here when there are none or the queue is full. */
    void submit(Runnable task) {
        rethrowFatal();
        if (pool == null) task.run();
        else pool.execute(task);
    }

    /** Waits for every submitted task. */
    void drain() {
        if (pool == null) return;
        pool.shutdown();
        try {
            while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                // keep waiting: tasks are bounded system calls
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rethrowFatal();
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
