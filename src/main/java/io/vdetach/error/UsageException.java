package io.vdetach.error;

/**
 * A request that cannot be carried out as asked, found after the command line was parsed: an
 * option the image cannot honour (--snapshot on a format without snapshots), a volume that is
 * not there. Exit 2, like picocli's own checks.
 */
public final class UsageException extends VdetachException {
    public UsageException(String message) {
        super(message, null);
    }

    @Override
    public ErrorKind kind() { return ErrorKind.USAGE; }
}
