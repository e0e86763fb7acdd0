package io.vdetach.apply;

import io.vdetach.sys.Errno;
import io.vdetach.sys.Linux;
import io.vdetach.sys.SysException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Writes the whole blocks of long pieces with O_DIRECT, so big files skip the page cache (whose
 * filling cost more than the write itself on the measured host); the rest of a piece, and every
 * piece of a DEST that refuses direct I/O, goes through the page cache as usual.
 */
final class DirectWriter {
    /** Pieces at least this long are written direct: below it a buffered write costs less than a synchronous one. */
    static final long MIN = 256 << 10;
    private volatile boolean enabled = true;
    final LongAdder writes = new LongAdder();

    /**
     * Writes {@code length} bytes at {@code buf[at]} to {@code fileOffset}: the direct part through
     * the descriptor {@code directFd} supplies (-1: none), the rest through {@code fd}.
     */
    void write(int fd, IntSupplier directFd, ByteBuffer buf, int at, long fileOffset, long length) {
        long done = direct(directFd, buf, at, fileOffset, length);
        if (done < length) Linux.pwriteFully(fd, buf.slice(at + (int) done, (int) (length - done)), fileOffset + done);
    }

    private long direct(IntSupplier directFd, ByteBuffer buf, int at, long fileOffset, long length) {
        int align = ImageReads.ALIGN;
        if (!enabled || length < MIN || fileOffset % align != 0 || at % align != 0) return 0;
        int fd = directFd.getAsInt();
        if (fd < 0) {
            enabled = false;
            return 0;
        }
        long n = length & -align;
        try {
            Linux.pwriteFully(fd, buf.slice(at, (int) n), fileOffset);
            writes.increment();
            return n;
        } catch (SysException e) {
            if (!e.is(Errno.EINVAL)) throw e;
            enabled = false; // DEST has no direct I/O (or another alignment): written buffered
            return 0;
        }
    }
}
