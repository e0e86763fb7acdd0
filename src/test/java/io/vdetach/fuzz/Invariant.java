package io.vdetach.fuzz;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.VdetachException;

/**
 * What every fuzz target checks on every input: a parser either succeeds or throws one of our
 * own error types, {@link VdetachException} of a kind other than {@link ErrorKind#INTERNAL}.
 * Anything else leaves the target and is a finding: an index, arithmetic, state or I/O exception
 * (an in-memory image never fails on the host), {@link OutOfMemoryError} under the campaign's heap
 * cap, {@link StackOverflowError}, or libFuzzer's per-input timeout.
 */
public final class Invariant {
    private Invariant() {}

    /** Work over one fuzzer input. */
    public interface Work {
        void run() throws Exception;
    }

    /** {@code -Dfuzz.verbose=true}: print what each input ended with (to see what seeds reach). */
    private static final boolean VERBOSE = Boolean.getBoolean("fuzz.verbose");

    public static void onlyOurErrors(Work work) throws Exception {
        try {
            work.run();
            if (VERBOSE) System.err.println("fuzz: read through");
        } catch (VdetachException e) {
            if (VERBOSE) System.err.println("fuzz: " + e.kind().label() + ": " + e.getMessage());
            if (e.kind() == ErrorKind.INTERNAL) throw new AssertionError("an internal error escaped: " + e, e);
        }
    }

    /** For code that reports errors per entry (a walk) and must not see another kind of error there. */
    public static Exception ours(Exception e) {
        if (e instanceof VdetachException v && v.kind() != ErrorKind.INTERNAL) return e;
        throw new AssertionError("not one of our error types: " + e, e);
    }
}
