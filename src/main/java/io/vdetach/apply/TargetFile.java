package io.vdetach.apply;

import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;

/**
 * A file being filled by the copy engine: its descriptor, the same file opened with O_DIRECT on
 * first need (for {@link DirectWriter}; none where DEST refuses direct I/O), and whether a write
 * into it failed (it then gets no more writes and is not finished).
 */
final class TargetFile {
    final Fd fd;
    volatile boolean failed;
    private boolean directTried;
    private Fd direct;

    TargetFile(Fd fd) {
        this.fd = fd;
    }

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
