package io.vdetach.evidence;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes every {@link FileHasher} of a run may hold together while they wait for the bytes
 * before them. A file whose pieces would take more is hashed again after the run, in file order
 * ({@link FileHasher#rehash}); how often that happened is counted (printed with VDETACH_DEBUG).
 */
public final class HoldBudget {
    /** Enough for the pieces two writer threads have in flight (two 16 MiB reads) several times over. */
    public static final long DEFAULT_BYTES = 128L << 20;

    private final long limit;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final LongAdder fallbacks = new LongAdder();

    public HoldBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code n} bytes of the budget; false (nothing taken) when that would exceed it. */
    boolean take(long n) {
        while (true) {
            long h = held.get();
            if (h + n > limit) return false;
            if (held.compareAndSet(h, h + n)) {
                peak.accumulateAndGet(h + n, Math::max);
                return true;
            }
        }
    }

    void give(long n) {
        held.addAndGet(-n);
    }

    void fellBack() {
        fallbacks.increment();
    }

    /** Files hashed again after the run because their pieces came too far out of order. */
    public long fallbacks() { return fallbacks.sum(); }

    /** The most bytes held at once. */
    public long peak() { return peak.get(); }
}
