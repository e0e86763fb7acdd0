package io.vdetach.guestfs.fat;

import java.nio.ByteBuffer;

/**
 * One VFAT long-name entry (fatgen103 section 7): 13 UTF-16LE code units of the name, its place
 * in the sequence and the checksum of the 8.3 entry it belongs to.
 *
 * @param order LDIR_Ord: bits 0-5 the 1-based position, bit 6 set on the last (first stored) entry
 */
record LongNameEntry(int order, int checksum, char[] chars) {

    static final int CHARS = 13;
    private static final int[] CHAR_OFFSETS = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

    static LongNameEntry parse(ByteBuffer b, int at) {
        char[] c = new char[CHARS];
        for (int i = 0; i < CHARS; i++) {
            int o = at + CHAR_OFFSETS[i];
            c[i] = (char) ((b.get(o) & 0xff) | (b.get(o + 1) & 0xff) << 8);
        }
        return new LongNameEntry(b.get(at) & 0xff, b.get(at + 13) & 0xff, c);
    }

    int position() { return order & 0x3f; }

    boolean isLast() { return (order & 0x40) != 0; }
}
