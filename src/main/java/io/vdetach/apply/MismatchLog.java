package io.vdetach.apply;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * verify's mismatches in walk order although file contents are compared on other threads: the
 * walker takes a slot for each step in its order ({@link #slot()}), a step adds its mismatches
 * under its slot from whichever thread runs it, and {@link #inOrder()} sorts by slot (stably, so
 * one step's mismatches keep the order it added them in). Only the walker takes slots.
 */
final class MismatchLog {
    private record Slotted(long slot, Verify.Mismatch mismatch) {}

    private final List<Slotted> added = new ArrayList<>();
    private long next;

    /** The next slot in walk order (walker thread only). */
    long slot() {
        return next++;
    }

    synchronized void add(long slot, EntryPath path, String what) {
        added.add(new Slotted(slot, new Verify.Mismatch(path.toString(), what)));
    }

    /** Every mismatch so far, in the order of their slots. */
    synchronized List<Verify.Mismatch> inOrder() {
        List<Slotted> sorted = new ArrayList<>(added);
        sorted.sort(Comparator.comparingLong(Slotted::slot));
        return sorted.stream().map(Slotted::mismatch).toList();
    }
}
