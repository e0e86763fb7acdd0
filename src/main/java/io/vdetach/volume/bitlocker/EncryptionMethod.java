package io.vdetach.volume.bitlocker;

import java.util.Arrays;

/**
 * The sector encryption of a volume: the FVE metadata header's encryption method, low 16 bits
 * (libyal BDE format, "Encryption methods"; Windows writes the value twice, 0x80048004). The FVEK's
 * key data holds, per method: AES-CBC the key; Elephant 64 bytes, the FVEK in the first 32 (16
 * used for 128-bit) and the TWEAK key in the last 32 (likewise); XTS key 1 then key 2.
 */
public enum EncryptionMethod {
    AES_CBC_128_ELEPHANT(0x8000, "AES-CBC 128-bit with Elephant diffuser", 16),
    AES_CBC_256_ELEPHANT(0x8001, "AES-CBC 256-bit with Elephant diffuser", 32),
    AES_CBC_128(0x8002, "AES-CBC 128-bit", 16),
    AES_CBC_256(0x8003, "AES-CBC 256-bit", 32),
    AES_XTS_128(0x8004, "AES-XTS 128-bit", 16),
    AES_XTS_256(0x8005, "AES-XTS 256-bit", 32);

    /** Where the TWEAK key starts in an Elephant FVEK's 64 bytes of key data. */
    private static final int ELEPHANT_TWEAK_AT = 32;

    private final int code;
    private final String label;
    private final int keyBytes;

    EncryptionMethod(int code, String label, int keyBytes) {
        this.code = code;
        this.label = label;
        this.keyBytes = keyBytes;
    }

    public int code() { return code; }

    /** As people and bdeinfo name it: "AES-XTS 128-bit". */
    public String label() { return label; }

    /** The method with this value (low 16 bits), or null when it is not a sector encryption vdetach knows. */
    static EncryptionMethod of(long value) {
        for (EncryptionMethod m : values()) if (m.code == (value & 0xffff)) return m;
        return null;
    }

    private boolean elephant() { return this == AES_CBC_128_ELEPHANT || this == AES_CBC_256_ELEPHANT; }

    private boolean xts() { return this == AES_XTS_128 || this == AES_XTS_256; }

    /** Key data bytes the FVEK must hold at least for this method. */
    int keyDataBytes() {
        if (elephant()) return ELEPHANT_TWEAK_AT + keyBytes;
        return xts() ? 2 * keyBytes : keyBytes;
    }

    /** The sector cipher for an FVEK's key data ({@link #keyDataBytes()} or more bytes). */
    SectorCipher cipher(byte[] keyData, int sectorSize) {
        if (keyData.length < keyDataBytes()) throw new IllegalArgumentException(label + " needs " + keyDataBytes() + " key bytes");
        if (xts()) return new XtsSectors(Arrays.copyOf(keyData, 2 * keyBytes), sectorSize);
        byte[] fvek = Arrays.copyOf(keyData, keyBytes);
        byte[] tweak = elephant() ? Arrays.copyOfRange(keyData, ELEPHANT_TWEAK_AT, ELEPHANT_TWEAK_AT + keyBytes) : null;
        return new CbcSectors(fvek, tweak, sectorSize);
    }
}
