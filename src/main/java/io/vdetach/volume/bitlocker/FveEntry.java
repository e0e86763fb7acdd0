package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One FVE metadata entry (libyal BDE format, "FVE metadata entry"): size (2, header included),
 * entry type (2), value type (2), version (2), then the value. Some values hold an array of
 * further entries (properties): the VMK, stretch key, use key and external key.
 *
 * @param at the entry's offset in its volume or file, for messages
 */
record FveEntry(long at, int type, int valueType, int version, byte[] data) {

    static final int HEADER = 8;

    // entry types (libyal BDE format, "FVE metadata entry types")
    static final int TYPE_PROPERTY = 0x0000;
    static final int TYPE_VMK = 0x0002;
    static final int TYPE_FVEK = 0x0003;
    static final int TYPE_STARTUP_KEY = 0x0006;
    static final int TYPE_DESCRIPTION = 0x0007;
    static final int TYPE_VOLUME_HEADER_BLOCK = 0x000f;

    // value types ("FVE metadata value types")
    static final int VALUE_KEY = 0x0001;
    static final int VALUE_STRING = 0x0002;
    static final int VALUE_STRETCH_KEY = 0x0003;
    static final int VALUE_USE_KEY = 0x0004;
    static final int VALUE_AES_CCM = 0x0005;
    static final int VALUE_VMK = 0x0008;
    static final int VALUE_EXTERNAL_KEY = 0x0009;
    static final int VALUE_OFFSET_SIZE = 0x000f;

    /**
     * Parses the entries in {@code b[from, to)}; {@code base} is where {@code b[0]} lies, for
     * messages. One level only: nested properties are parsed when asked for ({@link #properties}),
     * and readers ask at most three levels deep (VMK, stretch key, AES-CCM key), so nesting in a
     * hostile block costs nothing.
     */
    static List<FveEntry> parseAll(byte[] b, int from, int to, long base) {
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        List<FveEntry> out = new ArrayList<>();
        int p = from;
        while (p < to) {
            int size = p + 2 <= to ? Short.toUnsignedInt(le.getShort(p)) : 0;
            if (size == 0) {
                // zero padding may end an entry array (seen after Windows 8's entries)
                for (int i = p; i < to; i++) {
                    if (b[i] != 0) throw entrySize(base + p, size, to - p);
                }
                break;
            }
            if (size < HEADER || size > to - p) throw entrySize(base + p, size, to - p);
            out.add(new FveEntry(base + p, Short.toUnsignedInt(le.getShort(p + 2)), Short.toUnsignedInt(le.getShort(p + 4)),
                    Short.toUnsignedInt(le.getShort(p + 6)), Arrays.copyOfRange(b, p + HEADER, p + size)));
            p += size; // size >= 8: the walk always advances, so it ends
        }
        return out;
    }

    private static CorruptImageException entrySize(long at, int size, int room) {
        return new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata entry size", at,
                size + " bytes where " + room + " remain (at least 8 and no more than remain)");
    }

    /** Where the properties start in values that hold them; -1 for values that hold none. */
    private int propertiesAt() {
        return switch (valueType) {
            case VALUE_STRETCH_KEY -> 20; // method (4), salt (16)
            case VALUE_USE_KEY -> 4; // method (4)
            case VALUE_VMK -> 28; // key identifier (16), modified (8), unknown (2), protection (2)
            case VALUE_EXTERNAL_KEY -> 24; // key identifier (16), modified (8)
            default -> -1;
        };
    }

    /** The entries this value holds (none for values that hold none). */
    List<FveEntry> properties() {
        int skip = propertiesAt();
        if (skip < 0) return List.of();
        need(skip, "its fixed fields");
        return parseAll(data, skip, data.length, at + HEADER);
    }

    /** The first property of value type {@code valueType}, or null. */
    FveEntry property(int valueType) {
        for (FveEntry e : properties()) if (e.valueType == valueType) return e;
        return null;
    }

    /** The value as text (UTF-16LE, its terminating NULs removed). */
    String text() {
        int n = data.length & ~1;
        while (n >= 2 && data[n - 1] == 0 && data[n - 2] == 0) n -= 2;
        return new String(data, 0, n, StandardCharsets.UTF_16LE);
    }

    /** Fails unless the value holds at least {@code bytes} bytes. */
    void need(int bytes, String what) {
        if (data.length < bytes) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata entry (value type 0x" + Integer.toHexString(valueType)
                    + ")", at, data.length + " value bytes, too few for " + what + " (" + bytes + ")");
        }
    }

    int u16(int i) { return Short.toUnsignedInt(le().getShort(i)); }

    long u32(int i) { return Integer.toUnsignedLong(le().getInt(i)); }

    long u64(int i) { return le().getLong(i); }

    Guid guid(int i) { return Guid.read(ByteBuffer.wrap(data), i); }

    private ByteBuffer le() { return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN); }
}
