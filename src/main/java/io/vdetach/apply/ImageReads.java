package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.sys.Errno;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.SysException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads of image files in spans, for the copy engines: neighbouring pieces merged into one read,
 * long reads with O_DIRECT (widened to whole blocks) where the image's filesystem allows it, short
 * ones through the page cache. On the measured host filling the page cache and copying out of it
 * cost more CPU than the copy itself; scattered short reads need the cache's read-ahead instead.
 */
final class ImageReads implements AutoCloseable {
    /** Largest single read (direct reads of 4, 8, 16 and 32 MiB measured 7.5 / 5.9 / 5.7 / 5.2-6.9 s on the bench image). */
    static final int SPAN = 16 << 20;
    /** Pieces closer than this in the image are read with the bytes between them (cheaper than a second read). */
    static final long GAP = 256 << 10;
    /** Offset, length and memory alignment direct I/O needs (the largest logical block size in use). */
    static final int ALIGN = 4096;
    /** Spans at least this long are read with O_DIRECT: one request at a time, which only long reads afford. */
    private static final long DIRECT_MIN = 1 << 20;

    /** Bytes of one destination taken from one image file ({@code source} as {@link #add} numbered it). */
    interface Piece {
        int source();

        long sourceOffset();

        long length();
    }

    /** One read: bytes [start, end) of a source, holding pieces [from, to) of the sorted list. */
    record Span(int source, long start, long end, int from, int to) {
        long length() { return end - start; }
    }

    private final List<Fd> buffered = new CopyOnWriteArrayList<>();
    /** The same files opened with O_DIRECT, null where their filesystem refused it. */
    private final List<Fd> direct = new CopyOnWriteArrayList<>();
    /** Every direct descriptor opened, closed by close() (one refused later stays open until then: another reader may use it). */
    private final List<Fd> opened = new CopyOnWriteArrayList<>();

    /** Registers an image file by an open read-only descriptor (not closed here); returns its source number. */
    int add(Fd fd) {
        Fd d = fd.reopen(Linux.O_RDONLY | Linux.O_DIRECT);
        if (d != null) opened.add(d);
        buffered.add(fd);
        direct.add(d);
        return buffered.size() - 1;
    }

    /** A buffer for one span, aligned for direct I/O (a span grows by up to one block at each end). */
    static ByteBuffer buffer() {
        return ByteBuffer.allocateDirect(SPAN + 3 * ALIGN).alignedSlice(ALIGN);
    }

    boolean direct(Span sp) {
        return sp.length() >= DIRECT_MIN && direct.get(sp.source()) != null;
    }

    /** Announces a buffered span so that the page cache reads it while earlier ones are being used. */
    void advise(Span sp) {
        if (direct(sp)) return;
        try {
            Linux.fadvise(buffered.get(sp.source()), sp.start(), sp.length(), Linux.POSIX_FADV_WILLNEED);
        } catch (RuntimeException e) {
            // advice only
        }
    }

    /** Reads a span into {@code buf}; returns the image offset of the buffer's first byte. */
    long read(Span sp, ByteBuffer buf) {
        if (direct(sp)) {
            Fd fd = direct.get(sp.source());
            long start = sp.start() & -ALIGN;
            buf.clear().limit((int) (((sp.end() + ALIGN - 1) & -ALIGN) - start));
            try {
                readFully(fd, buf, start, sp.end() - start);
                return start;
            } catch (SysException e) {
                if (!e.is(Errno.EINVAL)) throw e;
                direct.set(sp.source(), null);
            }
        }
        buf.clear().limit((int) sp.length());
        readFully(buffered.get(sp.source()), buf, sp.start(), sp.length());
        return sp.start();
    }

    /** Reads until {@code need} bytes are in (a direct read may run past the image's end, which is short). */
    private static void readFully(Fd fd, ByteBuffer buf, long start, long need) {
        while (buf.position() < need) {
            if (Linux.pread(fd, buf, start + buf.position()) <= 0) {
                throw new HostException("image file ends before offset " + (start + buf.position()));
            }
        }
    }

    /** Pieces sorted by (source, offset), none longer than SPAN, merged into reads of at most SPAN bytes. */
    static List<Span> spans(List<? extends Piece> sorted) {
        List<Span> out = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            Piece first = sorted.get(i);
            long start = first.sourceOffset();
            long end = start + first.length();
            int j = i + 1;
            while (j < sorted.size()) {
                Piece p = sorted.get(j);
                if (p.source() != first.source() || p.sourceOffset() > end + GAP) break;
                long e = Math.max(end, p.sourceOffset() + p.length());
                if (e - start > SPAN) break;
                end = e;
                j++;
            }
            out.add(new Span(first.source(), start, end, i, j));
            i = j;
        }
        return out;
    }

    @Override
    public void close() {
        for (Fd fd : opened) fd.close();
        opened.clear();
    }
}
