package io.vdetach.image.zstd;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.DataFormatException;

/**
 * A bitstream read backwards (RFC 8878 section 4.1.1 and 4.2.2): bytes are little-endian,
 * the stream starts at the highest set bit of its last byte (a marker) and is read towards
 * the first byte. Reads past the start return zeros and drive {@link #remaining()} negative,
 * which decoders use to detect the end (as the format intends).
 */
final class BackwardBits {
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private final byte[] data;
    private final int start;
    private final int end;
    /** Bits not yet read: the next read takes the {@code n} bits just below this position. */
    private long pos;

    BackwardBits(byte[] data, int start, int end) throws DataFormatException {
        if (end <= start || start < 0 || end > data.length) throw new DataFormatException("empty bitstream");
        int last = data[end - 1] & 0xff;
        if (last == 0) throw new DataFormatException("bitstream lacks its end marker");
        this.data = data;
        this.start = start;
        this.end = end;
        this.pos = (long) (end - start - 1) * 8 + (31 - Integer.numberOfLeadingZeros(last));
    }

    long remaining() { return pos; }

    /** The 64 bits of the stream from bit {@link #windowLow} (a cache of 8 loaded bytes). */
    private long window;
    private long windowLow = Long.MAX_VALUE;
    private long windowHigh = Long.MIN_VALUE;

    /** Reads {@code n} (0..56) bits. */
    long read(int n) {
        if (n == 0) return 0;
        pos -= n;
        if (pos >= windowLow && pos + n <= windowHigh) return (window >>> (pos - windowLow)) & ((1L << n) - 1);
        if (pos < 0) return bits(pos, n);
        // load the 8 bytes that end with the byte holding the highest bit wanted
        long hi = (pos + n - 1) >>> 3;
        long lo = Math.max(0, hi - 7);
        int byteAt = start + (int) lo;
        int avail = (int) Math.min(8, end - byteAt);
        if (avail == 8) {
            window = (long) LE_LONG.get(data, byteAt);
        } else {
            window = 0;
            for (int i = avail - 1; i >= 0; i--) window = (window << 8) | (data[byteAt + i] & 0xff);
        }
        windowLow = lo * 8;
        windowHigh = windowLow + 8L * avail;
        return (window >>> (pos - windowLow)) & ((1L << n) - 1);
    }

    private long bits(long at, int n) {
        if (at < 0) {
            if (at + n <= 0) return 0;
            int shift = (int) -at;
            return bits(0, n - shift) << shift;
        }
        int byteAt = start + (int) (at >>> 3);
        long v;
        if (byteAt + 8 <= end) {
            v = (long) LE_LONG.get(data, byteAt);
        } else {
            v = 0;
            for (int i = end - byteAt - 1; i >= 0; i--) v = (v << 8) | (data[byteAt + i] & 0xff);
        }
        return (v >>> (at & 7)) & ((1L << n) - 1);
    }
}
