package io.vdetach.apply;

/**
 * Names the phase of a command ("reading volume p1 (ext4)") in the OutOfMemoryError or
 * StackOverflowError a hostile or damaged image provoked there; cli/Main turns it into one line
 * and exit 3. The phase is where the command was, not a guess at the structure.
 */
public final class Phase {
    private Phase() {}

    public static Error named(String phase, VirtualMachineError e) {
        Error named = e instanceof StackOverflowError ? new StackOverflowError(phase)
                : new OutOfMemoryError(phase + ": " + e.getMessage());
        named.initCause(e);
        return named;
    }
}
