package io.vdetach.image.zstd;

import java.util.zip.DataFormatException;

/**
 * A bitstream read backwards (RFC 8878 section 4.1.1 and 4.2.2): bytes are little-endian,
 * the stream starts at the highest set bit of its last byte (a marker) and is read towards
 * the first byte. Reads past the start return zeros and drive {@link #remaining()} negative,
 * which decoders use to detect the end (as the format intends).
 */
final class BackwardBits {
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

    /** Reads {@code n} (0..56) bits. */
    long read(int n) {
        if (n == 0) return 0;
        pos -= n;
        return bits(pos, n);
    }

    private long bits(long at, int n) {
        if (at < 0) {
            if (at + n <= 0) return 0;
            int shift = (int) -at;
            return bits(0, n - shift) << shift;
        }
        int byteAt = start + (int) (at >>> 3);
        long v = 0;
        int avail = Math.min(8, end - byteAt);
        for (int i = avail - 1; i >= 0; i--) v = (v << 8) | (data[byteAt + i] & 0xff);
        return (v >>> (at & 7)) & ((1L << n) - 1);
    }
}
