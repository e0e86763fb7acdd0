package io.vdetach.image.vhdx;

import io.vdetach.error.CorruptImageException;
import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** The metadata table at the start of the metadata region ([MS-VHDX] 2.6.1). */
record VhdxMetadataTable(List<Entry> entries) {
    static final int SIZE = 64 * 1024;
    /** [MS-VHDX] 2.6.1.1: EntryCount MUST be at most 2047. */
    private static final int MAX_ENTRIES = 2047;

    /** An item: offset relative to the region's start. */
    record Entry(Guid itemId, long offset, long length, boolean isUser, boolean isVirtualDisk, boolean isRequired) {}

    static VhdxMetadataTable parse(ByteBuffer b, long at) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(0) != 0x617461646174656dL) { // "metadata"
            throw new CorruptImageException("vhdx", "metadata table", at, "signature is not \"metadata\"");
        }
        int count = Short.toUnsignedInt(b.getShort(10));
        if (count > MAX_ENTRIES) {
            throw new CorruptImageException("vhdx", "metadata table", at + 10, "entry count " + count + " exceeds " + MAX_ENTRIES);
        }
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int e = 32 + i * 32;
            int flags = b.getInt(e + 24);
            entries.add(new Entry(Guid.read(b, e), Integer.toUnsignedLong(b.getInt(e + 16)),
                    Integer.toUnsignedLong(b.getInt(e + 20)), (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0));
        }
        return new VhdxMetadataTable(List.copyOf(entries));
    }
}
