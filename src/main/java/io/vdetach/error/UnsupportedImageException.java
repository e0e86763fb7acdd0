package io.vdetach.error;

/** The image is valid but uses something vdetach does not read (not a corruption). */
public final class UnsupportedImageException extends VdetachException {
    public UnsupportedImageException(String format, String what) {
        super(format + ": " + what + " is not supported", null);
    }

    /** For messages that already say "not supported" in their own words. */
    public static UnsupportedImageException because(String message) {
        return new UnsupportedImageException(message);
    }

    private UnsupportedImageException(String message) {
        super(message, null);
    }

    @Override
    public int exitCode() { return 3; }
}
