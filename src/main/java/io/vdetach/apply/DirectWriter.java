package io.vdetach.apply;

import io.vdetach.sys.Errno;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.SysException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes the whole blocks of long pieces with O_DIRECT, so big files skip the page cache (whose
 * filling cost more than the write itself on the measured host); the rest of a piece, and every
 * piece of a DEST that refuses direct I/O, goes through the page cache as usual.
 */
final class DirectWriter {
    /** Pieces at least this long are written direct: below it a buffered write costs less than a synchronous one. */
    private static final long MIN = 256 << 10;
    private volatile boolean enabled = true;
    final LongAdder writes = new LongAdder();

    /** Writes {@code length} bytes at {@code buf[at]} to {@code fileOffset} of {@code f}: direct where it can. */
    void write(TargetFile f, ByteBuffer buf, int at, long fileOffset, long length) {
        long done = direct(f, buf, at, fileOffset, length);
        if (done < length) Linux.pwriteFully(f.fd, buf.slice(at + (int) done, (int) (length - done)), fileOffset + done);
    }

    private long direct(TargetFile f, ByteBuffer buf, int at, long fileOffset, long length) {
        int align = ImageReads.ALIGN;
        if (!enabled || length < MIN || fileOffset % align != 0 || at % align != 0) return 0;
        Fd fd = f.direct();
        if (fd == null) {
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
