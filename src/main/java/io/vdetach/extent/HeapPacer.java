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

    private static long evicted;
    private static long liveAfterLast;

    private HeapPacer() {}

    /** {@code bytes} of cached values were let go; may run a full collection (not under a lock). */
    static void evicted(long bytes) {
        synchronized (HeapPacer.class) {
            evicted += bytes;
            if (evicted < CHECK_EVERY) return;
            evicted = 0;
        }
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        long limit;
        synchronized (HeapPacer.class) {
            limit = Math.max(FLOOR, liveAfterLast + HEADROOM);
        }
        if (used < limit) return;
        System.gc();
        long live = rt.totalMemory() - rt.freeMemory();
        synchronized (HeapPacer.class) {
            liveAfterLast = live;
        }
    }
}
