package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import io.vdetach.image.Guid;
import java.nio.ByteBuffer;

/**
 * A startup key from a BitLocker External Key file, {GUID}.BEK (libyal BDE format, "BitLocker
 * External Key (BEK) file"): an FVE metadata header, then entries; the startup key entry (type 6)
 * is an external key (value type 9) whose identifier names the protector it opens and whose key
 * property holds the 32-byte key that unwraps that protector's VMK.
 *
 * @param source the file it came from, for messages
 */
public record StartupKey(Guid id, byte[] key, String source) {

    /** A .BEK file is 156 bytes (Windows 10) or 180 (Windows 11): 64 KiB is far beyond either. */
    static final int MAX_FILE = 0x10000;

    /** Parses a .BEK file's bytes; throws {@link IllegalArgumentException} saying why it is not one. */
    static StartupKey parse(byte[] file, String source) {
        if (file.length < FveMetadataHeader.SIZE || file.length > MAX_FILE) {
            throw new IllegalArgumentException(file.length + " bytes: a .BEK file is " + FveMetadataHeader.SIZE + " to " + MAX_FILE);
        }
        try {
            FveMetadataHeader h = FveMetadataHeader.parse(ByteBuffer.wrap(file), 0, 0, file.length);
            for (FveEntry e : FveEntry.parseAll(file, FveMetadataHeader.SIZE, h.metadataSize(), 0)) {
                if (e.type() != FveEntry.TYPE_STARTUP_KEY || e.valueType() != FveEntry.VALUE_EXTERNAL_KEY) continue;
                FveEntry k = e.property(FveEntry.VALUE_KEY);
                if (k == null) throw new IllegalArgumentException("its external key holds no key");
                KeyEntry key = KeyEntry.of(k);
                if (key.keyData().length != 32) throw new IllegalArgumentException("its key is " + key.keyData().length + " bytes, not 32");
                return new StartupKey(e.guid(0), key.keyData(), source);
            }
        } catch (CorruptImageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        throw new IllegalArgumentException("it holds no startup key entry");
    }
}
