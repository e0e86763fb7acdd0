package io.vdetach.apply;

import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;

/**
 * A file being filled by a copy engine: its descriptor, and the same file opened with O_DIRECT
 * on first need (for {@link DirectWriter}); none where DEST refuses direct I/O.
 */
final class TargetFile {
    final Fd fd;
    private boolean directTried;
    private Fd direct;

    TargetFile(Fd fd) {
        this.fd = fd;
    }

    /** The O_DIRECT twin, opened on first need; null where DEST refuses direct I/O. */
    synchronized Fd direct() {
        if (!directTried) {
            directTried = true;
            direct = fd.reopen(Linux.O_WRONLY | Linux.O_DIRECT);
        }
        return direct;
    }

    synchronized void close() {
        fd.close();
        if (direct != null) direct.close();
    }
}
