package io.vdetach.guestfs.ntfs;

/**
 * LZNT1 decompression of one NTFS compression unit (MS-XCA 2.5: a sequence of chunks, each
 * with a 16-bit header and producing 4096 bytes; within a compressed chunk, flag bytes select
 * literals or 16-bit back references whose offset/length split depends on the position).
 */
final class Lznt1 {
    private Lznt1() {}

    static final int CHUNK = 4096;

    /**
     * Decompresses {@code src[0, srcLen)} into {@code dst[0, dstLen)}, which the caller has zeroed:
     * a chunk shorter than 4096 bytes, and everything after the last chunk, reads as zeros.
     *
     * @return null when the data is valid LZNT1, else the position and reason it is not
     */
    static String decompress(byte[] src, int srcLen, byte[] dst, int dstLen) {
        int s = 0;
        int d = 0;
        while (s + 2 <= srcLen && d < dstLen) {
            int header = (src[s] & 0xff) | (src[s + 1] & 0xff) << 8;
            if (header == 0) break;
            s += 2;
            int size = (header & 0x0fff) + 1;
            if (s + size > srcLen) return "chunk at " + (s - 2) + " of " + size + " bytes past the unit's data";
            int chunkEnd = s + size;
            int chunkStart = d;
            int chunkLimit = Math.min(d + CHUNK, dstLen);
            if ((header & 0x8000) == 0) {
                if (size > chunkLimit - d) return "stored chunk at " + (s - 2) + " longer than 4096 bytes";
                System.arraycopy(src, s, dst, d, size);
                s = chunkEnd;
            } else {
                while (s < chunkEnd) {
                    int flags = src[s++] & 0xff;
                    for (int bit = 0; bit < 8 && s < chunkEnd; bit++, flags >>>= 1) {
                        if ((flags & 1) == 0) {
                            if (d >= chunkLimit) return "literal past the chunk's 4096 bytes at " + s;
                            dst[d++] = src[s++];
                            continue;
                        }
                        if (s + 2 > chunkEnd) return "truncated back reference at " + s;
                        int token = (src[s] & 0xff) | (src[s + 1] & 0xff) << 8;
                        s += 2;
                        int pos = d - chunkStart;
                        if (pos == 0) return "back reference before any byte at " + (s - 2);
                        int offsetBits = Math.max(4, 32 - Integer.numberOfLeadingZeros(pos - 1));
                        int lengthBits = 16 - offsetBits;
                        int offset = (token >>> lengthBits) + 1;
                        int length = (token & ((1 << lengthBits) - 1)) + 3;
                        if (offset > pos) return "back reference " + offset + " bytes before the chunk at " + (s - 2);
                        if (length > chunkLimit - d) return "back reference past the chunk's 4096 bytes at " + (s - 2);
                        for (int i = 0; i < length; i++, d++) dst[d] = dst[d - offset];
                    }
                }
            }
            d = chunkLimit;
        }
        return null;
    }
}
