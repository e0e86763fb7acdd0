package io.vdetach.error;

/**
 * What kind of failure an error is, and the exit code DESIGN.md gives it. Errors are values: a
 * report entry or a manifest line carries the kind, never a message to be parsed again.
 */
public enum ErrorKind {
    /** The request cannot be carried out as asked (an option the image cannot honour). */
    USAGE(2),
    /** The image (container, partition table, filesystem) is damaged or hostile. */
    CORRUPT(3),
    /** The image is valid but uses something vdetach does not read. */
    UNSUPPORTED(3),
    /** An encrypted volume that none of the given secrets (password, recovery password, key file) opens. */
    LOCKED(3),
    /** A file the image names (backing file, parent, extent, segment) is not there or not usable. */
    MISSING(3),
    /** The host refused: space, permission, not the same filesystem, a failed system call. */
    HOST(4),
    /** A bug in vdetach (an invariant failed): not the image's fault. sysexits' EX_SOFTWARE. */
    INTERNAL(70);

    private final int exitCode;

    ErrorKind(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }

    /** "corrupt", "unsupported", … as reports and manifests print it. */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
