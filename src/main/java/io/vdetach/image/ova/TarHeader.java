package io.vdetach.image.ova;

import io.vdetach.error.CorruptImageException;
import java.nio.charset.StandardCharsets;

/**
 * One 512-byte tar header block (POSIX.1-1988 ustar, as pax and GNU tar write it): name at 0
 * (100 bytes), size at 124 (12 bytes of octal, or GNU's base-256 when the first byte's high bit
 * is set), checksum at 148 (8 bytes of octal: the sum of the header's bytes with the checksum
 * field read as spaces), type flag at 156, "ustar" at 257, name prefix at 345 (155 bytes).
 *
 * @param at offset of the header block in the archive; the member's data follows it
 */
record TarHeader(String name, long size, char type, long at) {
    static final int BLOCK = 512;

    /** Null for an all-zero block (the end of the archive). */
    static TarHeader parse(byte[] b, long at, long archiveSize) {
        boolean zero = true;
        for (byte x : b) if (x != 0) { zero = false; break; }
        if (zero) return null;
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (b[i] & 0xff);
        long stored = octal(b, 148, 8, at);
        if (stored != sum) {
            throw new CorruptImageException("ova", "tar header checksum", at + 148, "tar header at " + at + ": checksum "
                    + stored + ", computed " + sum);
        }
        long size;
        if ((b[124] & 0x80) != 0) {
            size = 0;
            for (int i = 125; i < 136; i++) {
                if (size > (Long.MAX_VALUE >> 8)) throw new CorruptImageException("ova", "tar header size", at + 124, "size overflows");
                size = (size << 8) | (b[i] & 0xff);
            }
        } else {
            size = octal(b, 124, 12, at);
        }
        if (size > archiveSize - at - BLOCK) {
            throw new CorruptImageException("ova", "tar header size", at + 124, "tar member at " + at + " of " + size
                    + " bytes runs past the end of the archive (" + archiveSize + " bytes)");
        }
        String name = text(b, 0, 100);
        if (new String(b, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            String prefix = text(b, 345, 155);
            if (!prefix.isEmpty()) name = prefix + "/" + name;
        }
        return new TarHeader(name, size, (char) (b[156] == 0 ? '0' : b[156] & 0xff), at);
    }

    long dataAt() { return at + BLOCK; }

    /** Where the next header lies: after the data, rounded up to a block. */
    long next() { return dataAt() + Math.ceilDiv(size, BLOCK) * BLOCK; }

    static String text(byte[] b, int from, int len) {
        int n = 0;
        while (n < len && b[from + n] != 0) n++;
        return new String(b, from, n, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int from, int len, long at) {
        long v = 0;
        int i = from;
        while (i < from + len && (b[i] == ' ' || b[i] == 0)) i++;
        for (; i < from + len && b[i] != 0 && b[i] != ' '; i++) {
            if (b[i] < '0' || b[i] > '7' || v > (Long.MAX_VALUE >> 3)) {
                throw new CorruptImageException("ova", "tar header field", at + from, "tar header at " + at
                        + ": not an octal number at byte " + (i - from) + " of the field");
            }
            v = v * 8 + (b[i] - '0');
        }
        return v;
    }
}
