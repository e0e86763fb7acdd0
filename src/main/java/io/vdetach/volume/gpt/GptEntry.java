package io.vdetach.volume.gpt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** One partition entry (UEFI 2.10, 5.3.3). */
record GptEntry(UUID type, UUID unique, long firstLba, long lastLba, long attributes, String name) {

    static GptEntry parse(ByteBuffer b, int at) {
        UUID type = mixedEndianGuid(b, at);
        UUID unique = mixedEndianGuid(b, at + 16);
        byte[] nameBytes = new byte[72];
        b.get(at + 56, nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_16LE);
        int nul = name.indexOf('\0');
        if (nul >= 0) name = name.substring(0, nul);
        return new GptEntry(type, unique, b.getLong(at + 32), b.getLong(at + 40), b.getLong(at + 48), name);
    }

    boolean isUnused() {
        return type.getMostSignificantBits() == 0 && type.getLeastSignificantBits() == 0;
    }

    /** GUIDs store their first three fields little-endian, the rest as bytes. */
    static UUID mixedEndianGuid(ByteBuffer b, int at) {
        long d1 = Integer.toUnsignedLong(b.getInt(at));
        long d2 = b.getShort(at + 4) & 0xffffL;
        long d3 = b.getShort(at + 6) & 0xffffL;
        long msb = (d1 << 32) | (d2 << 16) | d3;
        long lsb = 0;
        for (int i = 8; i < 16; i++) lsb = (lsb << 8) | (b.get(at + i) & 0xff);
        return new UUID(msb, lsb);
    }
}
