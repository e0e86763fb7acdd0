package io.vdetach.error;

/** The image is valid but uses something vdetach does not read (not a corruption). */
public final class UnsupportedImageException extends ImageException {

    /** "{format}: {what} is not supported", not tied to one byte of the image. */
    public UnsupportedImageException(String format, String what) {
        super(format, null, -1, format + ": " + what + " is not supported", null);
    }

    /** "{format}: {what} is not supported ({structure} at offset {offset})". */
    public UnsupportedImageException(String format, String structure, long offset, String what) {
        super(format, structure, offset, format + ": " + what + " is not supported (" + structure + " at offset " + offset + ")",
                null);
    }

    /** For messages that already say "not supported" in their own words; {@code message} follows "{format}: ". */
    public static UnsupportedImageException because(String format, String message) {
        return new UnsupportedImageException(format, null, message, true);
    }

    /** As {@link #because(String, String)}, naming the structure that is not supported (not in the message). */
    public static UnsupportedImageException because(String format, String structure, String message) {
        return new UnsupportedImageException(format, structure, message, true);
    }

    private UnsupportedImageException(String format, String structure, String message, boolean ownWords) {
        super(format, structure, -1, format + ": " + message, null);
    }

    @Override
    public ErrorKind kind() { return ErrorKind.UNSUPPORTED; }
}
