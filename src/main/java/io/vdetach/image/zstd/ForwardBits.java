package io.vdetach.image.zstd;

import java.util.zip.DataFormatException;

/** A little-endian bitstream read forwards, for FSE table descriptions (RFC 8878 section 4.1.1). */
final class ForwardBits {
    private final byte[] data;
    private final int end;
    private long bit;

    ForwardBits(byte[] data, int start, int end) {
        this.data = data;
        this.end = end;
        this.bit = (long) start * 8;
    }

    int read(int n) throws DataFormatException {
        int v = 0;
        for (int i = 0; i < n; i++) {
            int byteAt = (int) (bit >>> 3);
            if (byteAt >= end) throw new DataFormatException("FSE table description runs past its block");
            v |= ((data[byteAt] >>> (bit & 7)) & 1) << i;
            bit++;
        }
        return v;
    }

    void unread(int n) { bit -= n; }

    /** The byte after the last bit read (the description ends on a byte boundary). */
    int alignedByte() { return (int) ((bit + 7) >>> 3); }
}
