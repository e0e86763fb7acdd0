package io.vdetach.error;

/** The host refused: no space, permission, not the same filesystem, a failed syscall. */
public non-sealed class HostException extends VdetachException {
    public HostException(String message) {
        super(message, null);
    }

    public HostException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorKind kind() { return ErrorKind.HOST; }
}
