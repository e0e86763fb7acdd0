package io.vdetach.error;

/**
 * Every failure vdetach reports to a user. Each subtype maps to one exit code
 * (see {@link #exitCode()}), so commands only throw and the CLI maps.
 */
public sealed abstract class VdetachException extends RuntimeException
        permits CorruptImageException, UnsupportedImageException, HostException {

    protected VdetachException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The process exit code documented in DESIGN.md for this kind of failure. */
    public abstract int exitCode();
}
