package io.vdetach.error;

/**
 * The image (container, partition table or guest filesystem) is damaged or hostile.
 * The message always names the format, the structure and the byte offset.
 */
public final class CorruptImageException extends VdetachException {
    private final String format;
    private final String structure;
    private final long offset;

    public CorruptImageException(String format, String structure, long offset, String detail) {
        super(format + ": corrupt " + structure + " at offset " + offset + ": " + detail, null);
        this.format = format;
        this.structure = structure;
        this.offset = offset;
    }

    public String format() { return format; }
    public String structure() { return structure; }
    public long offset() { return offset; }

    @Override
    public int exitCode() { return 3; }
}
