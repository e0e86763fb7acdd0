package io.vdetach.guestfs.ntfs;

/**
 * Decompression of the LZ77+Huffman ("XPRESS Huffman") format, MS-XCA 2.2: every 64 KiB of
 * output starts with 256 bytes of 4-bit code lengths for 512 symbols (256 literals, 256
 * length/offset-bits pairs); the bit stream is read as 16-bit little-endian words, most
 * significant bit first, and the extra length bytes are interleaved in the byte stream.
 * Windows' WOF (CompactOS) XPRESS4K/8K/16K compresses each 4/8/16 KiB chunk this way.
 * One instance is not thread-safe (it reuses its decoding table).
 */
final class XpressHuffman implements WofStream.ChunkDecoder {
    private static final int SYMBOLS = 512;
    private static final int MAX_LENGTH = 15;
    private static final int BLOCK = 65536;

    /** Symbol per 15-bit prefix; -1 where the code has no codeword. */
    private final short[] table = new short[1 << MAX_LENGTH];
    private final byte[] lengths = new byte[SYMBOLS];

    /**
     * Decompresses {@code src[0, srcLen)} into exactly {@code dst[0, dstLen)}.
     *
     * @return null on success, else where and why the data is not valid
     */
    @Override
    public String decompress(byte[] src, int srcLen, byte[] dst, int dstLen) {
        int in = 0;
        int out = 0;
        while (out < dstLen) {
            if (in + 256 > srcLen) return "Huffman table at " + in + " past the input";
            String bad = buildTable(src, in);
            if (bad != null) return bad + " (table at " + in + ")";
            in += 256;
            int blockEnd = Math.min(dstLen, out + BLOCK);
            long bits = ((long) word(src, in, srcLen) << 16) | word(src, in + 2, srcLen);
            in += 4;
            int extra = 16;
            while (out < blockEnd) {
                int symbol = table[(int) ((bits >>> 17) & 0x7fff)];
                if (symbol < 0) return "no codeword for the bits at " + in;
                int len = lengths[symbol];
                bits = (bits << len) & 0xffffffffL;
                extra -= len;
                if (extra < 0) {
                    bits |= (long) word(src, in, srcLen) << -extra;
                    extra += 16;
                    in += 2;
                }
                if (symbol < 256) {
                    dst[out++] = (byte) symbol;
                    continue;
                }
                symbol -= 256;
                int length = symbol & 15;
                int offsetBits = symbol >>> 4;
                if (length == 15) {
                    if (in >= srcLen) return "match length past the input at " + in;
                    length = src[in++] & 0xff;
                    if (length == 255) {
                        if (in + 2 > srcLen) return "match length past the input at " + in;
                        length = word(src, in, srcLen);
                        in += 2;
                        if (length == 0) {
                            if (in + 4 > srcLen) return "match length past the input at " + in;
                            long l32 = (word(src, in, srcLen) | (long) word(src, in + 2, srcLen) << 16);
                            in += 4;
                            if (l32 > dstLen) return "match length " + l32 + " past the output";
                            length = (int) l32;
                        }
                        if (length < 15) return "match length " + length + " below 15 at " + in;
                        length -= 15;
                    }
                    length += 15;
                }
                length += 3;
                int offset = offsetBits == 0 ? 0 : (int) (bits >>> (32 - offsetBits));
                offset += 1 << offsetBits;
                bits = (bits << offsetBits) & 0xffffffffL;
                extra -= offsetBits;
                if (extra < 0) {
                    bits |= (long) word(src, in, srcLen) << -extra;
                    extra += 16;
                    in += 2;
                }
                if (offset > out) return "match offset " + offset + " before the output's start at " + out;
                if (length > dstLen - out) return "match of " + length + " bytes past the output's end";
                for (int i = 0; i < length; i++, out++) dst[out] = dst[out - offset];
            }
            if (in > srcLen + 4) return "input overrun";
        }
        return null;
    }

    /** A 16-bit little-endian word; zeros past the input (the final refill may look beyond it). */
    private static int word(byte[] b, int at, int len) {
        int lo = at < len ? b[at] & 0xff : 0;
        int hi = at + 1 < len ? b[at + 1] & 0xff : 0;
        return lo | hi << 8;
    }

    /** Canonical Huffman decoding table from the 512 4-bit lengths (shorter codes and lower symbols first). */
    private String buildTable(byte[] src, int at) {
        int[] count = new int[MAX_LENGTH + 1];
        for (int i = 0; i < 256; i++) {
            int b = src[at + i] & 0xff;
            lengths[2 * i] = (byte) (b & 15);
            lengths[2 * i + 1] = (byte) (b >>> 4);
            count[b & 15]++;
            count[b >>> 4]++;
        }
        java.util.Arrays.fill(table, (short) -1);
        int code = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            for (int s = 0; s < SYMBOLS; s++) {
                if (lengths[s] != len) continue;
                int span = 1 << (MAX_LENGTH - len);
                int first = code << (MAX_LENGTH - len);
                if (first + span > table.length) return "Huffman code lengths over-subscribed";
                java.util.Arrays.fill(table, first, first + span, (short) s);
                code++;
            }
            code <<= 1;
        }
        return null;
    }
}
