package io.vdetach.volume.gpt;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/** The GPT header (UEFI 2.10, 5.3.2), as stored, with its CRC checked by {@link #parse}. */
record GptHeader(long myLba, long alternateLba, long firstUsableLba, long lastUsableLba,
                 long entriesLba, int entryCount, int entrySize, int entriesCrc) {

    static final long SIGNATURE = 0x5452415020494645L; // "EFI PART"
    /** Entry arrays are at least 16 KiB by spec; 1 MiB bounds what a hostile header can ask for. */
    static final long MAX_ENTRY_BYTES = 1L << 20;

    /** Returns the header in {@code sector}, or a reason string why it is not valid. */
    static Object parse(ByteBuffer sector) {
        if (sector.getLong(0) != SIGNATURE) return "no \"EFI PART\" signature";
        int headerSize = sector.getInt(12);
        if (headerSize < 92 || headerSize > sector.limit()) return "header size " + headerSize + " out of range";
        int storedCrc = sector.getInt(16);
        CRC32 crc = new CRC32();
        ByteBuffer copy = sector.duplicate().clear().limit(headerSize);
        byte[] bytes = new byte[headerSize];
        copy.get(bytes);
        bytes[16] = bytes[17] = bytes[18] = bytes[19] = 0;
        crc.update(bytes);
        if ((int) crc.getValue() != storedCrc) return "header CRC-32 mismatch";
        int count = sector.getInt(80);
        int size = sector.getInt(84);
        if (size < 128 || size % 8 != 0 || count < 0 || (long) count * size > MAX_ENTRY_BYTES) {
            return "entry array of " + Integer.toUnsignedString(count) + " x " + size + " bytes out of range";
        }
        return new GptHeader(sector.getLong(24), sector.getLong(32), sector.getLong(40), sector.getLong(48),
                sector.getLong(72), count, size, sector.getInt(88));
    }
}
