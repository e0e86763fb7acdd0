package io.vdetach.image.vhdx;

import io.vdetach.image.Damage;
import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** The 64 KiB region table at 192 KiB (and its copy at 256 KiB) ([MS-VHDX] 2.2.3), as read at {@code at}. */
record VhdxRegionTable(long checksum, List<Entry> entries, long at) {
    static final int SIZE = 64 * 1024;
    /** [MS-VHDX] 2.2.3.1: EntryCount MUST be at most 2047. */
    private static final int MAX_ENTRIES = 2047;

    /** A region: its GUID, where it lies and whether a reader must understand it. */
    record Entry(Guid guid, long fileOffset, long length, boolean required) {}

    static VhdxRegionTable parse(ByteBuffer b, long at) {
        Damage d = damage(b, at);
        if (d != null) throw d.exception();
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int count = b.getInt(8);
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int e = 16 + i * 32;
            entries.add(new Entry(Guid.read(b, e), b.getLong(e + 16), Integer.toUnsignedLong(b.getInt(e + 24)),
                    (b.getInt(e + 28) & 1) != 0));
        }
        return new VhdxRegionTable(Integer.toUnsignedLong(b.getInt(4)), List.copyOf(entries), at);
    }

    /** What is wrong with the table in {@code b} (stored at {@code at}), or null when it is valid. */
    static Damage damage(ByteBuffer b, long at) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0x69676572) return new Damage("vhdx", "region table", at, "signature is not \"regi\"");
        long stored = Integer.toUnsignedLong(b.getInt(4));
        long computed = VhdxHeader.crc32c(b, SIZE, 4);
        if (stored != computed) {
            return new Damage("vhdx", "region table", at, String.format("CRC-32C 0x%08x, computed 0x%08x", stored, computed));
        }
        long count = Integer.toUnsignedLong(b.getInt(8));
        return count <= MAX_ENTRIES ? null
                : new Damage("vhdx", "region table", at + 8, "entry count " + count + " exceeds " + MAX_ENTRIES);
    }
}
