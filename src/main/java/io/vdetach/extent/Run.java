package io.vdetach.extent;

/**
 * One run of a logical object: {@code [start, start + length)} of it, and where those bytes
 * are. Runs are what layers answer from {@link Layer#map}; composing them down to
 * {@link HostFile}s gives the extent map that {@code plan} classifies.
 */
public sealed interface Run permits Run.Mapped, Run.Hole, Run.Materialise {

    long start();

    long length();

    default long end() {
        return start() + length();
    }

    /** The same run moved to start at {@code newStart}, cut to {@code newLength} from {@code skip}. */
    Run slice(long skip, long newLength, long newStart);

    /** Stored as-is at {@code offset} of {@code target}. */
    record Mapped(long start, long length, Layer target, long offset) implements Run {
        public Mapped {
            check(start, length);
            if (offset < 0) throw new IllegalArgumentException("negative target offset " + offset);
        }

        @Override
        public Run slice(long skip, long newLength, long newStart) {
            return new Mapped(newStart, newLength, target, offset + skip);
        }
    }

    /** Reads as zeros and occupies nothing. */
    record Hole(long start, long length) implements Run {
        public Hole { check(start, length); }

        @Override
        public Run slice(long skip, long newLength, long newStart) {
            return new Hole(newStart, newLength);
        }
    }

    /**
     * The bytes exist but not as-is anywhere below (compressed, resident in metadata,
     * inline, encrypted, journal-only): they must be produced by reading the layer itself.
     */
    record Materialise(long start, long length, String reason) implements Run {
        public Materialise { check(start, length); }

        @Override
        public Run slice(long skip, long newLength, long newStart) {
            return new Materialise(newStart, newLength, reason);
        }
    }

    private static void check(long start, long length) {
        if (start < 0 || length <= 0 || start + length < start) {
            throw new IllegalArgumentException("bad run [" + start + ", +" + length + ")");
        }
    }
}
