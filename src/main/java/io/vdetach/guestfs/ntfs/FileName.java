package io.vdetach.guestfs.ntfs;

import java.nio.ByteBuffer;

/**
 * $FILE_NAME: the parent directory's file reference, the name's namespace and the name.
 * Returns null from {@link #parse} for a value too short for the name it announces.
 *
 * @param namespace {@link #POSIX}, {@link #WIN32}, {@link #DOS} or {@link #WIN32_AND_DOS}
 */
record FileName(long parent, int namespace, char[] name) {

    static final int POSIX = 0;
    static final int WIN32 = 1;
    static final int DOS = 2;
    static final int WIN32_AND_DOS = 3;

    /** Parses the value at {@code [at, at + length)} of a little-endian buffer. */
    static FileName parse(ByteBuffer b, int at, int length) {
        if (length < 66) return null;
        int units = b.get(at + 64) & 0xff;
        if (66 + 2 * units > length) return null;
        char[] c = new char[units];
        for (int i = 0; i < units; i++) c[i] = b.getChar(at + 66 + 2 * i);
        return new FileName(b.getLong(at), b.get(at + 65) & 0xff, c);
    }
}
