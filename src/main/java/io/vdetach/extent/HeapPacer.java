package io.vdetach.extent;

/**
 * Keeps the heap near what is live while {@link BlockCache} churns. A cached block lives long
 * enough to be promoted to the old generation, so every block evicted is old garbage; and the
 * serial collector grows the old generation (up to a quarter of RAM) rather than collect it, as
 * long as growing is possible. A walk over a million inodes (256 bytes of inode table each, read
 * through the cache) thus grew the process by ~260 bytes a file, with nothing of it live (a class
 * histogram at 600,000 files: 85 MB live, the cache's 64 MB of them). Here: after every
 * {@link #CHECK_EVERY} bytes evicted, when the heap in use is {@link #HEADROOM} past what the last
 * full collection left live (and past {@link #FLOOR}), one full collection is asked for. At a million
 * files that is a few collections of ~100 MB live each.
 */
final class HeapPacer {
    /** Evicted bytes between two looks at the heap (a look is two reads of counters). */
    static final long CHECK_EVERY = 16L << 20;
    /** No collection is asked for below this much heap in use. */
    static final long FLOOR = 128L << 20;
    /** Garbage let grow past what the last collection left live before the next one. */
    static final long HEADROOM = 64L << 20;

    /** The heap the pacer watches: the JVM's, or a test's. */
    interface Heap {
        /** Bytes in use, live or garbage. */
        long used();

        /** A full collection. */
        void collect();
    }

    private static final Heap JVM = new Heap() {
        @Override
        public long used() {
            Runtime rt = Runtime.getRuntime();
            return rt.totalMemory() - rt.freeMemory();
        }

        @Override
        public void collect() {
            System.gc();
        }
    };

    /** The process's pacer: every cache reports to it. */
    private static final HeapPacer PROCESS = new HeapPacer(JVM);

    private final Heap heap;
    private long evicted;
    private long liveAfterLast;

    HeapPacer(Heap heap) {
        this.heap = heap;
    }

    /** {@code bytes} of cached values were let go; may run a full collection (not under a lock). */
    static void evicted(long bytes) {
        PROCESS.let(bytes);
    }

    /** {@code bytes} were let go; returns whether that asked for a full collection. */
    boolean let(long bytes) {
        long limit;
        synchronized (this) {
            evicted += bytes;
            if (evicted < CHECK_EVERY) return false;
            evicted = 0;
            limit = Math.max(FLOOR, liveAfterLast + HEADROOM);
        }
        if (heap.used() < limit) return false;
        heap.collect();
        long live = heap.used();
        synchronized (this) {
            liveAfterLast = live;
        }
        return true;
    }
}
