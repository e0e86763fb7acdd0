package io.vdetach.error;

/**
 * The image (container, partition table or guest filesystem) is damaged or hostile.
 * The message always names the format, the structure and the byte offset.
 */
public final class CorruptImageException extends ImageException {

    /**
     * @param offset where the damaged structure or field is (never a placeholder: callers that know
     *     no better offset give the structure's start); -1 only where no byte is to blame (a cycle)
     */
    public CorruptImageException(String format, String structure, long offset, String detail) {
        this(format, structure, offset, detail, null);
    }

    public CorruptImageException(String format, String structure, long offset, String detail, Throwable cause) {
        super(format, structure, Math.max(-1, offset), format + ": corrupt " + structure
                + (offset >= 0 ? " at offset " + offset : "") + ": " + detail, cause);
    }

    @Override
    public ErrorKind kind() { return ErrorKind.CORRUPT; }
}
