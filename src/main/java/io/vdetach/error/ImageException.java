package io.vdetach.error;

/**
 * The image cannot be read as it is (exit 3): damaged, unsupported, or a file it names is
 * missing. Says which format, which structure and where: {@link #offset()} is the byte offset of
 * the structure or field in {@link #format()}'s own address space (the image file for a
 * container, the volume for a filesystem), or -1 when the failure is not at a byte (a file that
 * is missing, a limit of vdetach).
 */
public sealed abstract class ImageException extends VdetachException
        permits CorruptImageException, UnsupportedImageException, MissingFileException,
        LockedVolumeException {
    private final String format;
    private final String structure;
    private final long offset;

    protected ImageException(String format, String structure, long offset, String message, Throwable cause) {
        super(message, cause);
        this.format = format;
        this.structure = structure;
        this.offset = offset;
    }

    /** "qcow2", "ntfs", "gpt", … */
    public String format() { return format; }

    /** The structure or field, as the format's specification names it; null when none applies. */
    public String structure() { return structure; }

    /** Byte offset of the structure, or -1 when the failure is not at a byte. */
    public long offset() { return offset; }
}
