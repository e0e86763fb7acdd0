package io.vdetach.volume.gpt;

import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** One partition entry (UEFI 2.10, 5.3.3). */
record GptEntry(Guid type, Guid unique, long firstLba, long lastLba, long attributes, String name) {

    static GptEntry parse(ByteBuffer b, int at) {
        Guid type = Guid.read(b, at);
        Guid unique = Guid.read(b, at + 16);
        byte[] nameBytes = new byte[72];
        b.get(at + 56, nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_16LE);
        int nul = name.indexOf('\0');
        if (nul >= 0) name = name.substring(0, nul);
        return new GptEntry(type, unique, b.getLong(at + 32), b.getLong(at + 40), b.getLong(at + 48), name);
    }

    boolean isUnused() {
        return type.isZero();
    }
}
