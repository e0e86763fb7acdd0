package io.vdetach.guestfs.ntfs;

import io.vdetach.error.UnsupportedImageException;
import java.util.Arrays;

/**
 * The names of a directory tree in one byte array, each a 2-byte length then its UTF-8 (WTF-8)
 * bytes, addressed by offset: a million names cost their bytes plus 2 each, not an array object
 * each. An NTFS name has at most 255 UTF-16 units, so at most 765 bytes.
 */
final class NamePool {
    /** Offsets are ints: a pool past 2 GiB (tens of millions of long names) is refused. */
    private static final int MAX_BYTES = Integer.MAX_VALUE - 16;

    private byte[] bytes = new byte[1 << 16];
    private int size;

    /** Stores {@code name} (at most 65,535 bytes); returns its offset. */
    int add(byte[] name) {
        int need = 2 + name.length;
        if (size > MAX_BYTES - need) throw new UnsupportedImageException("ntfs", "names of more than " + MAX_BYTES + " bytes in all");
        if (size + need > bytes.length) bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_BYTES, Math.max(size + need, bytes.length * 2L)));
        int at = size;
        bytes[at] = (byte) (name.length >>> 8);
        bytes[at + 1] = (byte) name.length;
        System.arraycopy(name, 0, bytes, at + 2, name.length);
        size += need;
        return at;
    }

    int length(int at) {
        return (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
    }

    /** A copy of the name at {@code at}. */
    byte[] get(int at) {
        return Arrays.copyOfRange(bytes, at + 2, at + 2 + length(at));
    }

    /** Gives back the unused tail of the array (once every name is in). */
    void trim() {
        bytes = Arrays.copyOf(bytes, size);
    }
}
