package io.vdetach.error;

/**
 * An encrypted volume (BitLocker) was given secrets, and no key protector accepts any of them: the
 * volume cannot be read (exit 3), but nothing in it is corrupt. Nothing is written.
 */
public final class LockedVolumeException extends ImageException {

    /** @param offset the metadata block whose protectors were tried */
    public LockedVolumeException(String format, long offset, String message) {
        super(format, "key protectors", offset, format + ": " + message, null);
    }

    @Override
    public ErrorKind kind() { return ErrorKind.LOCKED; }
}
