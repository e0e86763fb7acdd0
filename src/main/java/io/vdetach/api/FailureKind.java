package io.vdetach.api;

/**
 * What kind of failure a {@link VdetachIOException} is, and the exit code the command line gives
 * it (0 done, 2 usage, 3 image, 4 host, 70 a bug).
 */
public enum FailureKind {
    /** The request cannot be carried out as asked (an option the image cannot honour, a volume that is not there). */
    USAGE(2),
    /** The image (container, partition table, filesystem) is damaged or hostile. */
    CORRUPT(3),
    /** The image is valid but uses something vdetach does not read. */
    UNSUPPORTED(3),
    /** An encrypted volume that none of the given secrets opens. */
    LOCKED(3),
    /** A file the image names (backing file, parent, extent, segment) is not there or not usable. */
    MISSING(3),
    /** The host refused: space, permission, not the same filesystem, a failed system call. */
    HOST(4),
    /** A bug in vdetach: not the image's fault. */
    INTERNAL(70);

    private final int exitCode;

    FailureKind(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The exit code of the {@code vdetach} command for this kind of failure. */
    public int exitCode() { return exitCode; }

    /** "corrupt", "unsupported", … as reports print it. */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
