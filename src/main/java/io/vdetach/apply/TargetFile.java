package io.vdetach.apply;

import io.vdetach.sys.Linux;

/**
 * A file being filled by a copy engine: its descriptor, and the same file opened with O_DIRECT
 * on first need (for {@link DirectWriter}); -1 there where DEST refuses direct I/O.
 */
final class TargetFile {
    private static final int UNOPENED = -2;
    final int fd;
    private int direct = UNOPENED;

    TargetFile(int fd) {
        this.fd = fd;
    }

    synchronized int direct() {
        if (direct == UNOPENED) direct = ImageReads.reopen(fd, Linux.O_WRONLY | Linux.O_DIRECT);
        return direct;
    }

    synchronized void close() {
        Linux.close(fd);
        if (direct >= 0) Linux.close(direct);
    }
}
