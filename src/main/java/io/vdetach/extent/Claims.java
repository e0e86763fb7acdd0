package io.vdetach.extent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether runs claim the same bytes of one layer twice. Files may share blocks on some
 * filesystems, but a directory or a metadata structure mapped onto itself is how a small image
 * presents a huge one (ext4 directory blocks all mapped to one qcow2 cluster: one entry per 12
 * bytes, over and over): callers report it as corruption before reading.
 */
public final class Claims {
    private Claims() {}

    /** Two runs whose targets' bytes overlap; {@code second} starts within {@code first}'s bytes. */
    public record Overlap(Run.Mapped first, Run.Mapped second) {}

    /** The first overlap among the {@link Run.Mapped} runs of {@code runs} (per target layer, by offset), or null. */
    public static Overlap firstOverlap(List<Run> runs) {
        Map<Layer, List<Run.Mapped>> byTarget = new IdentityHashMap<>();
        for (Run r : runs) {
            if (r instanceof Run.Mapped m) byTarget.computeIfAbsent(m.target(), t -> new ArrayList<>()).add(m);
        }
        for (List<Run.Mapped> list : byTarget.values()) {
            list.sort(Comparator.comparingLong(Run.Mapped::offset));
            for (int i = 1; i < list.size(); i++) {
                Run.Mapped a = list.get(i - 1), b = list.get(i);
                if (b.offset() < a.offset() + a.length()) return new Overlap(a, b);
            }
        }
        return null;
    }
}
