package io.vdetach.extent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The pacer's decision, on a heap the test controls: it looks at the heap only after
 * {@link HeapPacer#CHECK_EVERY} evicted bytes, never collects below {@link HeapPacer#FLOOR},
 * and otherwise collects once the heap in use is {@link HeapPacer#HEADROOM} past what the last
 * collection left live.
 */
class HeapPacerTest {
    private static final long MIB = 1L << 20;

    /** A heap whose use the test sets; a collection leaves {@code live} in use. */
    private static final class FakeHeap implements HeapPacer.Heap {
        long used, live, looks, collections;

        @Override
        public long used() {
            looks++;
            return used;
        }

        @Override
        public void collect() {
            collections++;
            used = live;
        }
    }

    @Test
    void looksOnlyAfterEnoughIsEvicted() {
        FakeHeap h = new FakeHeap();
        HeapPacer p = new HeapPacer(h);
        h.used = 10_000 * MIB;
        assertThat(p.let(HeapPacer.CHECK_EVERY - 1)).isFalse();
        assertThat(h.looks).isZero();
        assertThat(p.let(1)).isTrue(); // the counter reached CHECK_EVERY: one look, far past the floor
        assertThat(h.collections).isOne();
        long looks = h.looks;
        assertThat(p.let(HeapPacer.CHECK_EVERY / 2)).isFalse(); // counted again from zero
        assertThat(h.looks).isEqualTo(looks);
    }

    @Test
    void neverBelowTheFloor() {
        FakeHeap h = new FakeHeap();
        HeapPacer p = new HeapPacer(h);
        h.used = HeapPacer.FLOOR - 1;
        for (int i = 0; i < 10; i++) assertThat(p.let(HeapPacer.CHECK_EVERY)).isFalse();
        assertThat(h.looks).isEqualTo(10);
        assertThat(h.collections).isZero();
        h.used = HeapPacer.FLOOR;
        assertThat(p.let(HeapPacer.CHECK_EVERY)).isTrue();
    }

    @Test
    void collectsWhenTheHeapIsHeadroomPastTheLastLiveSet() {
        FakeHeap h = new FakeHeap();
        HeapPacer p = new HeapPacer(h);
        h.live = 200 * MIB;
        h.used = 300 * MIB;
        assertThat(p.let(HeapPacer.CHECK_EVERY)).isTrue(); // nothing measured yet: the floor is the limit
        assertThat(h.used).isEqualTo(200 * MIB);
        // the limit is now 200 MiB live + 64 MiB: the floor no longer matters
        h.used = 200 * MIB + HeapPacer.HEADROOM - 1;
        assertThat(p.let(HeapPacer.CHECK_EVERY)).isFalse();
        h.used = 200 * MIB + HeapPacer.HEADROOM;
        h.live = 150 * MIB;
        assertThat(p.let(HeapPacer.CHECK_EVERY)).isTrue();
        // the live set shrank: the next limit follows it down
        h.used = 150 * MIB + HeapPacer.HEADROOM;
        assertThat(p.let(HeapPacer.CHECK_EVERY)).isTrue();
        assertThat(h.collections).isEqualTo(3);
    }

    @Test
    void aSmallLiveSetKeepsTheFloor() {
        FakeHeap h = new FakeHeap();
        HeapPacer p = new HeapPacer(h);
        h.live = 10 * MIB;
        h.used = HeapPacer.FLOOR;
        assertThat(p.let(HeapPacer.CHECK_EVERY)).isTrue();
        h.used = 10 * MIB + HeapPacer.HEADROOM; // past live + headroom, still under the floor
        assertThat(p.let(HeapPacer.CHECK_EVERY)).isFalse();
        assertThat(h.collections).isOne();
    }
}
