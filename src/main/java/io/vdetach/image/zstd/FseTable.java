package io.vdetach.image.zstd;

import java.util.zip.DataFormatException;

/**
 * A finite state entropy decoding table (RFC 8878 section 4.1): for each state, the symbol
 * it decodes, how many bits to read next, and the base of the next state.
 */
final class FseTable {
    final int accuracyLog;
    final int[] symbol;
    final int[] bits;
    final int[] base;

    private FseTable(int accuracyLog) {
        this.accuracyLog = accuracyLog;
        int size = 1 << accuracyLog;
        symbol = new int[size];
        bits = new int[size];
        base = new int[size];
    }

    /** A table that always decodes {@code s} and reads nothing (RLE mode). */
    static FseTable rle(int s) {
        FseTable t = new FseTable(0);
        t.symbol[0] = s;
        return t;
    }

    /** Builds the table from normalised counts (-1 meaning "less than one"), section 4.1.1. */
    static FseTable build(int[] norm, int symbols, int accuracyLog) throws DataFormatException {
        FseTable t = new FseTable(accuracyLog);
        int size = 1 << accuracyLog;
        int[] next = new int[symbols];
        int high = size;
        for (int s = 0; s < symbols; s++) {
            if (norm[s] == -1) {
                if (high == 0) throw new DataFormatException("FSE table overfull");
                t.symbol[--high] = s;
                next[s] = 1;
            }
        }
        int step = (size >>> 1) + (size >>> 3) + 3;
        int mask = size - 1;
        int pos = 0;
        for (int s = 0; s < symbols; s++) {
            if (norm[s] <= 0) continue;
            next[s] = norm[s];
            for (int i = 0; i < norm[s]; i++) {
                t.symbol[pos] = s;
                do {
                    pos = (pos + step) & mask;
                } while (pos >= high);
            }
        }
        if (pos != 0) throw new DataFormatException("FSE counts do not fill the table");
        for (int i = 0; i < size; i++) {
            int s = t.symbol[i];
            int d = next[s]++;
            int nb = accuracyLog - (31 - Integer.numberOfLeadingZeros(d));
            t.bits[i] = nb;
            t.base[i] = (d << nb) - size;
        }
        return t;
    }

    /**
     * Reads a table description from {@code in} (forward bits) for at most {@code maxSymbols}
     * symbols and accuracy up to {@code maxLog}.
     */
    static FseTable read(ForwardBits in, int maxSymbols, int maxLog) throws DataFormatException {
        int log = in.read(4) + 5;
        if (log > maxLog) throw new DataFormatException("FSE accuracy log " + log + " > " + maxLog);
        int remaining = 1 << log;
        int[] norm = new int[Math.max(maxSymbols, 256) + 4];
        int s = 0;
        while (remaining > 0 && s < maxSymbols) {
            int nbits = (31 - Integer.numberOfLeadingZeros(remaining + 1)) + 1;
            int val = in.read(nbits);
            int lowerMask = (1 << (nbits - 1)) - 1;
            int threshold = (1 << nbits) - 1 - (remaining + 1);
            if ((val & lowerMask) < threshold) {
                in.unread(1);
                val &= lowerMask;
            } else if (val > lowerMask) {
                val -= threshold;
            }
            int proba = val - 1;
            remaining -= Math.abs(proba);
            norm[s++] = proba;
            if (proba == 0) {
                int repeat = in.read(2);
                while (true) {
                    for (int i = 0; i < repeat && s < maxSymbols; i++) norm[s++] = 0;
                    if (repeat == 3) repeat = in.read(2);
                    else break;
                }
            }
        }
        if (remaining != 0) throw new DataFormatException("FSE counts do not add up");
        return build(norm, s, log);
    }
}
