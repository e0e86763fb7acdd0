package io.vdetach.error;

/**
 * Every failure vdetach reports to a user. Each carries its {@link ErrorKind}, which fixes the
 * exit code, so commands only throw and the CLI maps.
 */
public sealed abstract class VdetachException extends RuntimeException permits ImageException, HostException, UsageException {

    protected VdetachException(String message, Throwable cause) {
        super(message, cause);
    }

    public abstract ErrorKind kind();

    /** The process exit code documented in DESIGN.md for this kind of failure. */
    public final int exitCode() { return kind().exitCode(); }
}
