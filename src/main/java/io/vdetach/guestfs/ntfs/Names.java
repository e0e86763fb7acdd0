package io.vdetach.guestfs.ntfs;

import java.nio.charset.StandardCharsets;

/**
 * NTFS names are UTF-16LE code units, not validated by Windows. They become UTF-8 bytes; a
 * surrogate pair becomes one 4-byte sequence, and an unpaired surrogate is written as the
 * 3-byte form of its code unit (WTF-8), so every stored name yields distinct bytes. ntfs-3g
 * instead refuses such names (it skips them when listing); a caller learns of them through
 * {@link #hasUnpairedSurrogate}.
 */
final class Names {
    private Names() {}

    static byte[] utf8(char[] c) {
        return utf8(c, 0, c.length);
    }

    static byte[] utf8(char[] c, int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to; i++) if (c[i] >= 0x80) { ascii = false; break; }
        if (ascii) {
            byte[] out = new byte[to - from];
            for (int i = from; i < to; i++) out[i - from] = (byte) c[i];
            return out;
        }
        byte[] out = new byte[3 * (to - from)];
        int n = 0;
        for (int i = from; i < to; i++) {
            char ch = c[i];
            if (ch < 0x80) {
                out[n++] = (byte) ch;
            } else if (ch < 0x800) {
                out[n++] = (byte) (0xc0 | ch >> 6);
                out[n++] = (byte) (0x80 | ch & 0x3f);
            } else if (Character.isHighSurrogate(ch) && i + 1 < to && Character.isLowSurrogate(c[i + 1])) {
                int cp = Character.toCodePoint(ch, c[++i]);
                out[n++] = (byte) (0xf0 | cp >> 18);
                out[n++] = (byte) (0x80 | cp >> 12 & 0x3f);
                out[n++] = (byte) (0x80 | cp >> 6 & 0x3f);
                out[n++] = (byte) (0x80 | cp & 0x3f);
            } else {
                out[n++] = (byte) (0xe0 | ch >> 12);
                out[n++] = (byte) (0x80 | ch >> 6 & 0x3f);
                out[n++] = (byte) (0x80 | ch & 0x3f);
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    static byte[] utf8(String s) {
        return utf8(s.toCharArray());
    }

    static boolean hasUnpairedSurrogate(char[] c) {
        for (int i = 0; i < c.length; i++) {
            if (Character.isHighSurrogate(c[i]) && i + 1 < c.length && Character.isLowSurrogate(c[i + 1])) i++;
            else if (Character.isSurrogate(c[i])) return true;
        }
        return false;
    }

    static String string(byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
