package io.vdetach.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The base images of one filesystem family and the target over them. An input's first byte picks
 * the base (its low three bits) and sets {@link #option} (bit 3: a mount option the target may
 * use); the rest are {@link PatchedBase} patches. A base whose file is absent (the corpus is not
 * beside the checkout) makes its inputs do nothing.
 */
final class PatchedFamily {
    /** Bases per family: the low three bits of the first byte pick one. */
    static final int MAX_BASES = 8;

    /** A base image: a name for messages and where its bytes come from (null: not available here). */
    record Base(String name, Supplier<byte[]> bytes) {}

    /** The walk of one input, with the option bit of its first byte. */
    interface Target {
        void walk(io.vdetach.extent.Layer volume, boolean option, LayerWalk files) throws Exception;
    }

    private final List<PatchedBase> bases = new ArrayList<>();
    private final Target target;

    PatchedFamily(Target target, Base... bases) {
        if (bases.length > MAX_BASES) throw new IllegalArgumentException("more than " + MAX_BASES + " bases");
        this.target = target;
        for (Base b : bases) {
            byte[] bytes = b.bytes().get();
            if (bytes == null) {
                System.out.println("SKIP: fuzz base " + b.name() + " is not available (conformance corpus missing)");
                this.bases.add(null);
                continue;
            }
            try {
                this.bases.add(PatchedBase.record(b.name(), bytes, (v, files) -> target.walk(v, false, files)));
            } catch (Exception e) {
                throw new IllegalStateException("fuzz base " + b.name() + " does not walk cleanly: " + e, e);
            }
        }
    }

    void run(byte[] input) throws Exception {
        int head = input.length == 0 ? 0 : input[0] & 0xff;
        PatchedBase base = bases.get((head & (MAX_BASES - 1)) % bases.size());
        if (base == null) return;
        boolean option = (head & MAX_BASES) != 0;
        Invariant.onlyOurErrors(() -> base.withPatches(input, 1, (v, files) -> target.walk(v, option, files),
                new LayerWalk(GuestWalk.READ_BUDGET, null)));
    }

    /** Metadata sectors per base, for the campaign record. */
    String describe() {
        StringBuilder s = new StringBuilder();
        for (PatchedBase b : bases) if (b != null) s.append(b.name).append(": ").append(b.metadataSectors()).append(" metadata sectors; ");
        return s.toString();
    }
}
