package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import java.util.Arrays;

/**
 * A key value (value type 1; libyal BDE format, "FVE key"): encryption method (4) and key data.
 * It is what a clear-key protector holds in the open, what a .BEK file holds, and what unwrapping
 * an AES-CCM key yields (a whole entry then: size, type, value type 1, version, method, key).
 */
record KeyEntry(long method, byte[] keyData) {

    static KeyEntry of(FveEntry e) {
        e.need(4, "a key's method");
        return new KeyEntry(e.u32(0), Arrays.copyOfRange(e.data(), 4, e.data().length));
    }

    /** Parses the plaintext of an unwrapped key; {@code at} is the wrapped entry's offset, for messages. */
    static KeyEntry unwrapped(byte[] plain, long at) {
        var entries = FveEntry.parseAll(plain, 0, plain.length, at);
        if (entries.size() != 1 || entries.getFirst().valueType() != FveEntry.VALUE_KEY) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "AES-CCM encrypted key", at,
                    "its authenticated plaintext is not one key entry");
        }
        return of(entries.getFirst());
    }
}
