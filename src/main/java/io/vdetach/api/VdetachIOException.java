package io.vdetach.api;

/**
 * Every failure the library reports: an {@link java.io.IOException} that says what kind of failure
 * it is and, for a damaged or unsupported image, which format, structure and byte offset are to
 * blame. The message is complete on its own ("qcow2: L2 table at offset 327680 points past the
 * end of the file").
 */
public final class VdetachIOException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    private final FailureKind kind;
    private final String format;
    private final String structure;
    private final long offset;

    VdetachIOException(FailureKind kind, String format, String structure, long offset, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.format = format;
        this.structure = structure;
        this.offset = offset;
    }

    public FailureKind kind() { return kind; }

    /** The command line's exit code for this failure ({@link FailureKind#exitCode()}). */
    public int exitCode() { return kind.exitCode(); }

    /** "qcow2", "ntfs", "gpt", …; null when the failure is not about an image structure. */
    public String format() { return format; }

    /** The structure or field as its specification names it; null when none applies. */
    public String structure() { return structure; }

    /** Byte offset of the structure in the format's own address space (the image file, the volume); -1 when none. */
    public long offset() { return offset; }

    /**
     * Whether the image holds nothing vdetach recognises at all: no partition table, no filesystem
     * or other content it names. With {@link #format()} "raw" (no container format claimed the file
     * either) the file is no disk image at all, rather than a damaged one.
     */
    public boolean nothingRecognised() {
        return kind == FailureKind.UNSUPPORTED && io.vdetach.plan.OpenedImage.NOTHING_RECOGNISED.equals(structure);
    }
}
