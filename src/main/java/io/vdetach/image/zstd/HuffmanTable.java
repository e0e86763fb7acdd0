package io.vdetach.image.zstd;

import java.util.zip.DataFormatException;

/**
 * A Huffman decoding table for literals (RFC 8878 section 4.2.1): indexed by the next
 * {@code maxBits} bits of the stream, it gives the symbol and its code length.
 */
final class HuffmanTable {
    /** Section 4.2.1: codes are at most 11 bits long. */
    static final int MAX_BITS = 11;

    final int maxBits;
    final byte[] symbol;
    final byte[] bits;

    private HuffmanTable(int maxBits) {
        this.maxBits = maxBits;
        symbol = new byte[1 << maxBits];
        bits = new byte[1 << maxBits];
    }

    /** Reads a Huffman tree description at {@code in[at]}; returns the table and sets {@code used[0]} to its length. */
    static HuffmanTable read(byte[] in, int at, int end, int[] used) throws DataFormatException {
        if (at >= end) throw new DataFormatException("missing Huffman tree description");
        int header = in[at] & 0xff;
        int[] weights = new int[256];
        int n;
        if (header >= 128) {
            // direct representation: header - 127 weights of 4 bits, high nibble first
            n = header - 127;
            int bytes = (n + 1) / 2;
            if (at + 1 + bytes > end) throw new DataFormatException("Huffman weights run past the block");
            for (int i = 0; i < n; i++) {
                int b = in[at + 1 + i / 2] & 0xff;
                weights[i] = (i % 2 == 0) ? b >>> 4 : b & 0xf;
            }
            used[0] = 1 + bytes;
        } else {
            // FSE-compressed weights: a table (accuracy <= 6), then two interleaved states
            int size = header;
            if (size == 0 || at + 1 + size > end) throw new DataFormatException("bad Huffman weight stream size");
            ForwardBits fwd = new ForwardBits(in, at + 1, at + 1 + size);
            FseTable t = FseTable.read(fwd, 256, 6);
            int streamStart = fwd.alignedByte();
            BackwardBits b = new BackwardBits(in, streamStart, at + 1 + size);
            int s1 = (int) b.read(t.accuracyLog);
            int s2 = (int) b.read(t.accuracyLog);
            n = 0;
            while (true) {
                if (n > 254) throw new DataFormatException("too many Huffman weights");
                weights[n++] = t.symbol[s1];
                s1 = t.base[s1] + (int) b.read(t.bits[s1]);
                if (b.remaining() < 0) {
                    weights[n++] = t.symbol[s2];
                    break;
                }
                if (n > 254) throw new DataFormatException("too many Huffman weights");
                weights[n++] = t.symbol[s2];
                s2 = t.base[s2] + (int) b.read(t.bits[s2]);
                if (b.remaining() < 0) {
                    weights[n++] = t.symbol[s1];
                    break;
                }
            }
            used[0] = 1 + size;
        }
        return fromWeights(weights, n);
    }

    /** The last weight is implied: it completes the sum of 2^(w-1) to a power of two. */
    private static HuffmanTable fromWeights(int[] w, int n) throws DataFormatException {
        if (n > 255) throw new DataFormatException("too many Huffman weights");
        long total = 0;
        for (int i = 0; i < n; i++) {
            if (w[i] > MAX_BITS) throw new DataFormatException("Huffman weight " + w[i] + " > " + MAX_BITS);
            if (w[i] > 0) total += 1L << (w[i] - 1);
        }
        if (total == 0) throw new DataFormatException("all Huffman weights are zero");
        int maxBits = 64 - Long.numberOfLeadingZeros(total); // highest bit + 1
        if (maxBits > MAX_BITS) throw new DataFormatException("Huffman codes longer than " + MAX_BITS + " bits");
        long left = (1L << maxBits) - total;
        if (Long.bitCount(left) != 1) throw new DataFormatException("Huffman weights do not complete a tree");
        w[n] = 63 - Long.numberOfLeadingZeros(left) + 1;
        int symbols = n + 1;
        int[] nb = new int[symbols];
        int[] rankCount = new int[MAX_BITS + 2];
        for (int i = 0; i < symbols; i++) {
            nb[i] = w[i] == 0 ? 0 : maxBits + 1 - w[i];
            rankCount[nb[i]]++;
        }
        HuffmanTable t = new HuffmanTable(maxBits);
        int[] rankIdx = new int[maxBits + 2];
        rankIdx[maxBits] = 0;
        for (int i = maxBits; i >= 1; i--) {
            rankIdx[i - 1] = rankIdx[i] + rankCount[i] * (1 << (maxBits - i));
            if (rankIdx[i - 1] > t.symbol.length) throw new DataFormatException("Huffman ranks overflow");
            for (int k = rankIdx[i]; k < rankIdx[i - 1]; k++) t.bits[k] = (byte) i;
        }
        for (int i = 0; i < symbols; i++) {
            if (nb[i] == 0) continue;
            int code = rankIdx[nb[i]];
            int len = 1 << (maxBits - nb[i]);
            if (code + len > t.symbol.length) throw new DataFormatException("Huffman codes overflow");
            for (int k = code; k < code + len; k++) t.symbol[k] = (byte) i;
            rankIdx[nb[i]] += len;
        }
        return t;
    }

    /** Decodes {@code count} symbols of one stream {@code in[start, end)} into {@code out[at..]}. */
    void decodeStream(byte[] in, int start, int end, byte[] out, int at, int count) throws DataFormatException {
        BackwardBits b = new BackwardBits(in, start, end);
        int mask = (1 << maxBits) - 1;
        int state = (int) b.read(maxBits);
        for (int i = 0; i < count; i++) {
            out[at + i] = symbol[state];
            int nb = bits[state];
            state = ((state << nb) | (int) b.read(nb)) & mask;
        }
        if (b.remaining() != -maxBits) throw new DataFormatException("Huffman stream length mismatch");
    }
}
