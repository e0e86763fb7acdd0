package io.vdetach.image.zstd;

import java.util.zip.DataFormatException;

/**
 * A Zstandard decompressor (RFC 8878) for bounded outputs: frames are decoded into one
 * caller-sized buffer, which also serves as the window. Dictionaries are not supported;
 * checksums are skipped. Written from the RFC; every length read from the input is checked
 * against the buffers, and malformed input gives {@link DataFormatException}.
 */
public final class ZstdDecoder {
    private static final int MAGIC = 0xFD2FB528;
    /** Section 3.1.1.2: blocks are at most 128 KiB. */
    private static final int MAX_BLOCK = 128 << 10;

    private static final int LL_MAX_SYMBOL = 35;
    private static final int ML_MAX_SYMBOL = 52;
    private static final int OF_MAX_SYMBOL = 31;
    private static final int[] LL_BASE = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32,
        40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536};
    private static final int[] LL_BITS = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8,
        9, 10, 11, 12, 13, 14, 15, 16};
    private static final int[] ML_BASE = new int[ML_MAX_SYMBOL + 1];
    private static final int[] ML_BITS = new int[ML_MAX_SYMBOL + 1];
    private static final FseTable LL_DEFAULT;
    private static final FseTable ML_DEFAULT;
    private static final FseTable OF_DEFAULT;

    static {
        for (int i = 0; i < 32; i++) ML_BASE[i] = i + 3;
        int[][] tail = {{35, 1}, {37, 1}, {39, 1}, {41, 1}, {43, 2}, {47, 2}, {51, 3}, {59, 3}, {67, 4}, {83, 4}, {99, 5},
            {131, 7}, {259, 8}, {515, 9}, {1027, 10}, {2051, 11}, {4099, 12}, {8195, 13}, {16387, 14}, {32771, 15},
            {65539, 16}};
        for (int i = 0; i < tail.length; i++) {
            ML_BASE[32 + i] = tail[i][0];
            ML_BITS[32 + i] = tail[i][1];
        }
        // Section 3.1.1.3.2.2: predefined distributions
        int[] ll = {4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
            -1, -1, -1, -1};
        int[] ml = new int[53];
        int[] mlHead = {1, 4, 3, 2, 2, 2, 2, 2, 2};
        for (int i = 0; i < 53; i++) ml[i] = i < mlHead.length ? mlHead[i] : i <= 45 ? 1 : -1;
        int[] of = new int[29];
        for (int i = 0; i < 29; i++) of[i] = i >= 6 && i <= 8 ? 2 : i <= 23 ? 1 : -1;
        try {
            LL_DEFAULT = FseTable.build(ll, ll.length, 6);
            ML_DEFAULT = FseTable.build(ml, ml.length, 6);
            OF_DEFAULT = FseTable.build(of, of.length, 5);
        } catch (DataFormatException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ZstdDecoder() {}

    /**
     * Decodes frames from {@code in[0, inLength)} into {@code out} until {@code out} is full or
     * the input holds no further frame (trailing zero padding is ignored).
     *
     * @return the number of bytes written to {@code out}
     */
    public static int decompress(byte[] in, int inLength, byte[] out) throws DataFormatException {
        State st = new State(in, inLength, out);
        while (st.op < out.length && st.ip + 4 <= inLength) {
            int magic = st.le32(st.ip);
            if (magic == 0) break; // padding after the last frame
            if ((magic & 0xFFFFFFF0) == 0x184D2A50) { // skippable frame
                if (st.ip + 8 > inLength) throw new DataFormatException("truncated skippable frame");
                long n = Integer.toUnsignedLong(st.le32(st.ip + 4));
                if (n > inLength - st.ip - 8L) throw new DataFormatException("skippable frame runs past the input");
                st.ip += 8 + (int) n;
                continue;
            }
            if (magic != MAGIC) throw new DataFormatException(String.format("bad frame magic 0x%08x", magic));
            st.ip += 4;
            st.frame();
        }
        return st.op;
    }

    /** Decoding state of one call: input and output positions, repeat offsets, previous tables. */
    private static final class State {
        final byte[] in;
        final int inLength;
        final byte[] out;
        int ip;
        int op;
        final int[] rep = new int[3];
        FseTable ll, of, ml;
        HuffmanTable huffman;
        /** Literals of one block: never more than a block, nor than the whole output. */
        final byte[] literals;

        State(byte[] in, int inLength, byte[] out) {
            this.in = in;
            this.inLength = inLength;
            this.out = out;
            this.literals = new byte[Math.min(MAX_BLOCK, out.length)];
        }

        int le32(int at) {
            return (in[at] & 0xff) | (in[at + 1] & 0xff) << 8 | (in[at + 2] & 0xff) << 16 | (in[at + 3] & 0xff) << 24;
        }

        int byteAt(int at) throws DataFormatException {
            if (at >= inLength) throw new DataFormatException("truncated input");
            return in[at] & 0xff;
        }

        /** Section 3.1.1: frame header, then blocks. */
        void frame() throws DataFormatException {
            int fhd = byteAt(ip++);
            int fcsFlag = fhd >>> 6;
            boolean single = (fhd & 0x20) != 0;
            if ((fhd & 0x08) != 0) throw new DataFormatException("reserved frame header bit set");
            boolean checksum = (fhd & 0x04) != 0;
            int dictFlag = fhd & 3;
            if (!single) ip++; // window descriptor: the output buffer is the window
            int dictBytes = dictFlag == 3 ? 4 : dictFlag;
            long dictId = 0;
            for (int i = 0; i < dictBytes; i++) dictId |= (long) byteAt(ip + i) << (8 * i);
            if (dictId != 0) throw new DataFormatException("frame needs dictionary " + dictId);
            ip += dictBytes;
            int fcsBytes = fcsFlag == 0 ? (single ? 1 : 0) : 1 << fcsFlag;
            ip += fcsBytes;
            if (ip > inLength) throw new DataFormatException("truncated frame header");
            rep[0] = 1;
            rep[1] = 4;
            rep[2] = 8;
            ll = of = ml = null;
            huffman = null;
            boolean last = false;
            while (!last) {
                int h = byteAt(ip) | byteAt(ip + 1) << 8 | byteAt(ip + 2) << 16;
                ip += 3;
                last = (h & 1) != 0;
                int type = (h >>> 1) & 3;
                int size = h >>> 3;
                switch (type) {
                    case 0 -> { // raw
                        if (size > inLength - ip) throw new DataFormatException("raw block runs past the input");
                        emit(in, ip, size);
                        ip += size;
                    }
                    case 1 -> { // RLE
                        int b = byteAt(ip++);
                        if (size > out.length - op) throw new DataFormatException("output larger than expected");
                        java.util.Arrays.fill(out, op, op + size, (byte) b);
                        op += size;
                    }
                    case 2 -> {
                        if (size > MAX_BLOCK || size > inLength - ip) throw new DataFormatException("bad compressed block size");
                        compressedBlock(ip, ip + size);
                        ip += size;
                    }
                    default -> throw new DataFormatException("reserved block type");
                }
                if (op == out.length && !last) return; // the caller wants no more
            }
            if (checksum) ip += 4;
        }

        void emit(byte[] src, int at, int n) throws DataFormatException {
            if (n > out.length - op) throw new DataFormatException("output larger than expected");
            System.arraycopy(src, at, out, op, n);
            op += n;
        }

        /** Section 3.1.1.3: literals section, then sequences section. */
        void compressedBlock(int p, int end) throws DataFormatException {
            int b0 = byteAt(p);
            int litType = b0 & 3;
            int sizeFormat = (b0 >>> 2) & 3;
            int regen, csize = 0, headerLen, streams = 1;
            if (litType < 2) {
                switch (sizeFormat) {
                    case 0, 2 -> { regen = b0 >>> 3; headerLen = 1; }
                    case 1 -> { regen = (b0 >>> 4) | byteAt(p + 1) << 4; headerLen = 2; }
                    default -> { regen = (b0 >>> 4) | byteAt(p + 1) << 4 | byteAt(p + 2) << 12; headerLen = 3; }
                }
            } else {
                long h = b0 | (long) byteAt(p + 1) << 8 | (long) byteAt(p + 2) << 16;
                switch (sizeFormat) {
                    case 0, 1 -> {
                        streams = sizeFormat == 0 ? 1 : 4;
                        regen = (int) ((h >>> 4) & 0x3ff);
                        csize = (int) ((h >>> 14) & 0x3ff);
                        headerLen = 3;
                    }
                    case 2 -> {
                        h |= (long) byteAt(p + 3) << 24;
                        streams = 4;
                        regen = (int) ((h >>> 4) & 0x3fff);
                        csize = (int) ((h >>> 18) & 0x3fff);
                        headerLen = 4;
                    }
                    default -> {
                        h |= (long) byteAt(p + 3) << 24 | (long) byteAt(p + 4) << 32;
                        streams = 4;
                        regen = (int) ((h >>> 4) & 0x3ffff);
                        csize = (int) ((h >>> 22) & 0x3ffff);
                        headerLen = 5;
                    }
                }
            }
            if (regen > literals.length) throw new DataFormatException("literals larger than a block or the output");
            p += headerLen;
            switch (litType) {
                case 0 -> {
                    if (regen > end - p) throw new DataFormatException("raw literals run past the block");
                    System.arraycopy(in, p, literals, 0, regen);
                    p += regen;
                }
                case 1 -> {
                    java.util.Arrays.fill(literals, 0, regen, (byte) byteAt(p));
                    p += 1;
                }
                default -> {
                    if (csize > end - p) throw new DataFormatException("compressed literals run past the block");
                    int lend = p + csize;
                    int q = p;
                    if (litType == 2) {
                        int[] used = new int[1];
                        huffman = HuffmanTable.read(in, q, lend, used);
                        q += used[0];
                    } else if (huffman == null) {
                        throw new DataFormatException("treeless literals without a previous Huffman table");
                    }
                    if (streams == 1) {
                        huffman.decodeStream(in, q, lend, literals, 0, regen);
                    } else {
                        if (lend - q < 6) throw new DataFormatException("missing jump table");
                        int s1 = (in[q] & 0xff) | (in[q + 1] & 0xff) << 8;
                        int s2 = (in[q + 2] & 0xff) | (in[q + 3] & 0xff) << 8;
                        int s3 = (in[q + 4] & 0xff) | (in[q + 5] & 0xff) << 8;
                        int a = q + 6, b = a + s1, c = b + s2, d = c + s3;
                        if (d > lend) throw new DataFormatException("jump table points past the literals");
                        int seg = (regen + 3) / 4;
                        if (3 * seg > regen) throw new DataFormatException("too few literals for four streams");
                        huffman.decodeStream(in, a, b, literals, 0, seg);
                        huffman.decodeStream(in, b, c, literals, seg, seg);
                        huffman.decodeStream(in, c, d, literals, 2 * seg, seg);
                        huffman.decodeStream(in, d, lend, literals, 3 * seg, regen - 3 * seg);
                    }
                    p = lend;
                }
            }
            sequences(p, end, regen);
        }

        /** Section 3.1.1.3.2: sequences, executed against the literals. */
        void sequences(int p, int end, int litCount) throws DataFormatException {
            int nb;
            if (p >= end) {
                nb = 0;
            } else {
                int b0 = byteAt(p);
                if (b0 < 128) {
                    nb = b0;
                    p += 1;
                } else if (b0 < 255) {
                    nb = ((b0 - 128) << 8) + byteAt(p + 1);
                    p += 2;
                } else {
                    nb = byteAt(p + 1) + (byteAt(p + 2) << 8) + 0x7f00;
                    p += 3;
                }
            }
            if (nb == 0) {
                emit(literals, 0, litCount);
                return;
            }
            int modes = byteAt(p++);
            if ((modes & 3) != 0) throw new DataFormatException("reserved sequence mode bits set");
            int[] pp = {p};
            ll = table((modes >>> 6) & 3, pp, end, ll, LL_DEFAULT, LL_MAX_SYMBOL, 9);
            of = table((modes >>> 4) & 3, pp, end, of, OF_DEFAULT, OF_MAX_SYMBOL, 8);
            ml = table((modes >>> 2) & 3, pp, end, ml, ML_DEFAULT, ML_MAX_SYMBOL, 9);
            BackwardBits bits = new BackwardBits(in, pp[0], end);
            int llState = (int) bits.read(ll.accuracyLog);
            int ofState = (int) bits.read(of.accuracyLog);
            int mlState = (int) bits.read(ml.accuracyLog);
            int lit = 0;
            for (int i = 0; i < nb; i++) {
                int ofCode = of.symbol[ofState];
                int llCode = ll.symbol[llState];
                int mlCode = ml.symbol[mlState];
                if (ofCode > OF_MAX_SYMBOL || llCode > LL_MAX_SYMBOL || mlCode > ML_MAX_SYMBOL) {
                    throw new DataFormatException("sequence code out of range");
                }
                long offsetValue = (1L << ofCode) + bits.read(ofCode);
                int matchLength = ML_BASE[mlCode] + (int) bits.read(ML_BITS[mlCode]);
                int literalLength = LL_BASE[llCode] + (int) bits.read(LL_BITS[llCode]);
                if (i + 1 < nb) {
                    llState = ll.base[llState] + (int) bits.read(ll.bits[llState]);
                    mlState = ml.base[mlState] + (int) bits.read(ml.bits[mlState]);
                    ofState = of.base[ofState] + (int) bits.read(of.bits[ofState]);
                }
                long offset = offset(offsetValue, literalLength);
                if (literalLength > litCount - lit) throw new DataFormatException("sequence uses more literals than decoded");
                emit(literals, lit, literalLength);
                lit += literalLength;
                if (offset > op) throw new DataFormatException("match offset " + offset + " before the start of the output");
                if (matchLength > out.length - op) throw new DataFormatException("output larger than expected");
                int from = op - (int) offset;
                if (offset >= matchLength) {
                    System.arraycopy(out, from, out, op, matchLength);
                } else {
                    for (int k = 0; k < matchLength; k++) out[op + k] = out[from + k];
                }
                op += matchLength;
            }
            if (bits.remaining() != 0) throw new DataFormatException("sequence bitstream not fully consumed");
            emit(literals, lit, litCount - lit);
        }

        /** Section 3.1.1.5: repeat offsets. */
        long offset(long value, int literalLength) throws DataFormatException {
            if (value > 3) {
                long o = value - 3;
                rep[2] = rep[1];
                rep[1] = rep[0];
                rep[0] = (int) Math.min(o, Integer.MAX_VALUE);
                return o;
            }
            int idx = (int) value - 1 + (literalLength == 0 ? 1 : 0);
            if (idx == 0) return rep[0];
            long o = idx == 3 ? rep[0] - 1L : rep[idx];
            if (o <= 0) throw new DataFormatException("repeat offset 0");
            if (idx > 1) rep[2] = rep[1];
            rep[1] = rep[0];
            rep[0] = (int) o;
            return o;
        }

        FseTable table(int mode, int[] p, int end, FseTable previous, FseTable predefined, int maxSymbol, int maxLog)
                throws DataFormatException {
            return switch (mode) {
                case 0 -> predefined;
                case 1 -> {
                    int s = byteAt(p[0]++);
                    if (s > maxSymbol) throw new DataFormatException("RLE symbol out of range");
                    yield FseTable.rle(s);
                }
                case 2 -> {
                    ForwardBits f = new ForwardBits(in, p[0], end);
                    FseTable t = FseTable.read(f, maxSymbol + 1, maxLog);
                    p[0] = f.alignedByte();
                    yield t;
                }
                default -> {
                    if (previous == null) throw new DataFormatException("repeat table mode without a previous table");
                    yield previous;
                }
            };
        }
    }
}
