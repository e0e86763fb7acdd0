package io.vdetach.volume.bitlocker;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A sector cipher's ciphers and scratch space, one set per call in progress and reused by later
 * calls. Not a ThreadLocal: the set refers to its cipher, so a thread's entry would keep every
 * volume the thread ever decrypted alive for the thread's life (fuzz finding F1, docs/fuzzing.md).
 */
final class WorkPool<W> {
    private final ConcurrentLinkedDeque<W> idle = new ConcurrentLinkedDeque<>();
    private final Supplier<W> make;

    WorkPool(Supplier<W> make) {
        this.make = make;
    }

    /** Runs {@code call} with a set no other call is using, then keeps the set for the next call. */
    void with(Consumer<W> call) {
        W w = idle.pollFirst();
        if (w == null) w = make.get();
        try {
            call.accept(w);
        } finally {
            idle.offerFirst(w);
        }
    }
}
