package io.vdetach.guestfs.ntfs;

import java.util.Arrays;

/**
 * LZX decompression of one WOF LZX chunk (32 KiB window, each chunk independent), the variant
 * of the LZX format ([MS-PATCH] 2, as used in cabinets) that WIM files and WOF share: no
 * translation header (x86 E8 call translation is always undone with a file size of 12,000,000),
 * and a block size given as 1 bit ("32 KiB") or 16 bits. Blocks are verbatim, aligned-offset
 * or uncompressed; code lengths are sent as deltas through a 20-symbol pretree.
 * One instance is not thread-safe (it reuses its tables).
 */
final class Lzx implements WofStream.ChunkDecoder {
    private static final int WINDOW = 32768;
    /** Position slots for a 32 KiB window. */
    private static final int SLOTS = 30;
    private static final int MAIN_SYMBOLS = 256 + 8 * SLOTS;
    private static final int LENGTH_SYMBOLS = 249;
    private static final int PRETREE_SYMBOLS = 20;
    private static final int ALIGNED_SYMBOLS = 8;
    private static final int MAX_CODE = 16;
    private static final int E8_FILE_SIZE = 12_000_000;

    private static final int[] EXTRA_BITS = new int[SLOTS];
    private static final int[] POSITION_BASE = new int[SLOTS];

    static {
        int base = 0;
        for (int s = 0; s < SLOTS; s++) {
            EXTRA_BITS[s] = s < 4 ? 0 : s / 2 - 1;
            POSITION_BASE[s] = base;
            base += 1 << EXTRA_BITS[s];
        }
    }

    private final byte[] mainLengths = new byte[MAIN_SYMBOLS];
    private final byte[] lengthLengths = new byte[LENGTH_SYMBOLS];
    private final byte[] alignedLengths = new byte[ALIGNED_SYMBOLS];
    private final byte[] preLengths = new byte[PRETREE_SYMBOLS];
    private final short[] mainTable = new short[1 << MAX_CODE];
    private final short[] lengthTable = new short[1 << MAX_CODE];
    private final short[] alignedTable = new short[1 << MAX_CODE];
    private final short[] preTable = new short[1 << MAX_CODE];

    // bit reader over 16-bit little-endian words, most significant bit first
    private byte[] in;
    private int inLen;
    private int pos;
    private long buf;
    private int bits;

    /** Thrown inside decoding; turned into the returned reason. */
    private static final class Bad extends Exception {
        Bad(String why) { super(why, null, false, false); }
    }

    @Override
    public String decompress(byte[] src, int srcLen, byte[] dst, int dstLen) {
        if (dstLen > WINDOW) return "chunk of " + dstLen + " bytes above the 32 KiB window";
        in = src;
        inLen = srcLen;
        pos = 0;
        buf = 0;
        bits = 0;
        Arrays.fill(mainLengths, (byte) 0);
        Arrays.fill(lengthLengths, (byte) 0);
        int r0 = 1, r1 = 1, r2 = 1;
        int out = 0;
        try {
            while (out < dstLen) {
                int type = read(3);
                int blockSize = read(1) == 1 ? WINDOW : read(16);
                if (blockSize == 0 || blockSize > dstLen - out) {
                    if (blockSize == 0) throw new Bad("empty block at output " + out);
                    blockSize = dstLen - out; // the last block may announce more than the chunk holds
                }
                int end = out + blockSize;
                if (type == 3) {
                    // Uncompressed: realign to 16 bits, then R0..R2 and the raw bytes (padded to even length).
                    int back = bits / 16;
                    pos -= 2 * back;
                    bits = 0;
                    buf = 0;
                    if (pos + 12 + blockSize > inLen) throw new Bad("uncompressed block past the input");
                    r0 = le32(pos); r1 = le32(pos + 4); r2 = le32(pos + 8);
                    pos += 12;
                    System.arraycopy(in, pos, dst, out, blockSize);
                    pos += blockSize + (blockSize & 1);
                    out = end;
                    continue;
                }
                if (type != 1 && type != 2) throw new Bad("block type " + type);
                if (type == 2) {
                    for (int i = 0; i < ALIGNED_SYMBOLS; i++) alignedLengths[i] = (byte) read(3);
                    build(alignedLengths, alignedTable, "aligned offset");
                }
                readLengths(mainLengths, 0, 256);
                readLengths(mainLengths, 256, MAIN_SYMBOLS);
                build(mainLengths, mainTable, "main");
                readLengths(lengthLengths, 0, LENGTH_SYMBOLS);
                build(lengthLengths, lengthTable, "length");
                while (out < end) {
                    int sym = decode(mainTable, mainLengths);
                    if (sym < 256) {
                        dst[out++] = (byte) sym;
                        continue;
                    }
                    sym -= 256;
                    int length = sym & 7;
                    int slot = sym >>> 3;
                    if (length == 7) length += decode(lengthTable, lengthLengths);
                    length += 2;
                    int offset;
                    if (slot == 0) {
                        offset = r0;
                    } else if (slot == 1) {
                        offset = r1; r1 = r0; r0 = offset;
                    } else if (slot == 2) {
                        offset = r2; r2 = r0; r0 = offset;
                    } else {
                        int extra = EXTRA_BITS[slot];
                        int footer;
                        if (type == 2 && extra >= 3) {
                            footer = (read(extra - 3) << 3) + decode(alignedTable, alignedLengths);
                        } else {
                            footer = read(extra);
                        }
                        offset = POSITION_BASE[slot] + footer - 2;
                        r2 = r1; r1 = r0; r0 = offset;
                    }
                    if (offset <= 0 || offset > out) throw new Bad("match offset " + offset + " at output " + out);
                    if (length > dstLen - out) throw new Bad("match of " + length + " bytes past the chunk's end");
                    for (int i = 0; i < length; i++, out++) dst[out] = dst[out - offset];
                }
            }
        } catch (Bad b) {
            return b.getMessage();
        }
        undoE8(dst, dstLen);
        return null;
    }

    /** Reads a pretree, then code lengths {@code [from, to)} as deltas from their previous values. */
    private void readLengths(byte[] lengths, int from, int to) throws Bad {
        for (int i = 0; i < PRETREE_SYMBOLS; i++) preLengths[i] = (byte) read(4);
        build(preLengths, preTable, "pretree");
        int i = from;
        while (i < to) {
            int sym = decode(preTable, preLengths);
            if (sym <= 16) {
                lengths[i] = (byte) ((lengths[i] - sym + 17) % 17);
                i++;
            } else if (sym == 17 || sym == 18) {
                int run = sym == 17 ? 4 + read(4) : 20 + read(5);
                if (run > to - i) throw new Bad("zero run past the code lengths");
                Arrays.fill(lengths, i, i + run, (byte) 0);
                i += run;
            } else {
                int run = 4 + read(1);
                if (run > to - i) throw new Bad("repeat run past the code lengths");
                int z = decode(preTable, preLengths);
                if (z > 16) throw new Bad("pretree symbol " + z + " in a repeat");
                byte v = (byte) ((lengths[i] - z + 17) % 17);
                Arrays.fill(lengths, i, i + run, v);
                i += run;
            }
        }
    }

    /** A canonical Huffman table indexed by the next 16 bits; an empty code is allowed until used. */
    private static void build(byte[] lengths, short[] table, String what) throws Bad {
        Arrays.fill(table, (short) -1);
        int code = 0;
        for (int len = 1; len <= MAX_CODE; len++) {
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] != len) continue;
                int span = 1 << (MAX_CODE - len);
                int first = code << (MAX_CODE - len);
                if (first + span > table.length) throw new Bad(what + " code lengths over-subscribed");
                Arrays.fill(table, first, first + span, (short) s);
                code++;
            }
            code <<= 1;
        }
    }

    private int decode(short[] table, byte[] lengths) throws Bad {
        fill(MAX_CODE);
        int sym = table[(int) (buf >>> (bits - MAX_CODE)) & 0xffff];
        if (sym < 0) throw new Bad("no codeword for the bits at input " + pos);
        bits -= lengths[sym];
        return sym;
    }

    private int read(int n) throws Bad {
        if (n == 0) return 0;
        fill(n);
        bits -= n;
        return (int) ((buf >>> bits) & ((1L << n) - 1));
    }

    /** Makes at least {@code n} bits available; past the input, zero words (bounded overrun). */
    private void fill(int n) throws Bad {
        while (bits < n) {
            if (pos >= inLen + 8) throw new Bad("input overrun");
            int lo = pos < inLen ? in[pos] & 0xff : 0;
            int hi = pos + 1 < inLen ? in[pos + 1] & 0xff : 0;
            pos += 2;
            buf = (buf << 16) | lo | hi << 8;
            bits += 16;
        }
    }

    private int le32(int at) {
        return (in[at] & 0xff) | (in[at + 1] & 0xff) << 8 | (in[at + 2] & 0xff) << 16 | (in[at + 3] & 0xff) << 24;
    }

    /** Undoes the x86 CALL (0xE8) translation the compressor applied to absolute targets. */
    private static void undoE8(byte[] d, int n) {
        if (n <= 10) return;
        for (int i = 0; i < n - 10; i++) {
            if ((d[i] & 0xff) != 0xe8) continue;
            int abs = (d[i + 1] & 0xff) | (d[i + 2] & 0xff) << 8 | (d[i + 3] & 0xff) << 16 | (d[i + 4] & 0xff) << 24;
            if (abs >= -i && abs < E8_FILE_SIZE) {
                int rel = abs >= 0 ? abs - i : abs + E8_FILE_SIZE;
                d[i + 1] = (byte) rel;
                d[i + 2] = (byte) (rel >>> 8);
                d[i + 3] = (byte) (rel >>> 16);
                d[i + 4] = (byte) (rel >>> 24);
            }
            i += 4;
        }
    }
}
