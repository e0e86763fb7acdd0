package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 64-byte header of an FVE metadata block (libyal BDE format, "FVE metadata block header"
 * versions 1 and 2), as stored.
 *
 * @param validatedBytes the block's bytes covered by its CRC-32 (offset 8: a count of 16-byte units;
 *     measured on the corpus: the CRC-32 after them covers exactly that many bytes from the block start)
 * @param state,nextState offsets 12 and 14: 4 when the volume is in its normal state
 * @param encryptedSize version 2, offset 16: how many bytes from the volume start are encrypted
 * @param headerSectors version 2, offset 28: sectors of the relocated volume header
 * @param offsets the three blocks' byte offsets (32, 40, 48)
 * @param volumeHeaderOffset version 2: where the relocated volume header is; version 1 (Vista):
 *     the MFT mirror cluster that the reconstructed boot sector names (offset 56)
 */
record FveBlockHeader(int validatedBytes, int version, int state, int nextState, long encryptedSize, int headerSectors,
                      long[] offsets, long volumeHeaderOffset) {

    static final int SIZE = 64;
    /** An FVE metadata area is 64 KiB on Windows 7 and later (16 KiB on Vista): nothing longer is read. */
    static final int MAX_VALIDATED = 0x10000 - 8;
    /** The header, the 48-byte metadata header: the least a block can hold. */
    private static final int MIN_VALIDATED = SIZE + FveMetadataHeader.SIZE;

    /** @param at the block's offset in the volume, for messages */
    static FveBlockHeader parse(ByteBuffer block, long at) {
        ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] sig = new byte[8];
        b.get(0, sig);
        if (!new String(sig, java.nio.charset.StandardCharsets.US_ASCII).equals(VolumeHeader.SIGNATURE)) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata block signature", at, "not -FVE-FS-");
        }
        int units = Short.toUnsignedInt(b.getShort(8));
        int validated = units * 16;
        int version = Short.toUnsignedInt(b.getShort(10));
        if (version != 1 && version != 2) {
            throw new UnsupportedImageException(VolumeHeader.FORMAT, "FVE metadata block version", at + 10, "version " + version);
        }
        if (version == 2 && (validated < MIN_VALIDATED || validated > MAX_VALIDATED)) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata block size", at + 8,
                    validated + " bytes out of [" + MIN_VALIDATED + ", " + MAX_VALIDATED + "]");
        }
        long[] offsets = {b.getLong(32), b.getLong(40), b.getLong(48)};
        int sectors = b.getInt(28);
        if (version == 2 && sectors < 0) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata block volume header sectors", at + 28,
                    Integer.toUnsignedString(sectors) + " out of range");
        }
        return new FveBlockHeader(validated, version, Short.toUnsignedInt(b.getShort(12)), Short.toUnsignedInt(b.getShort(14)),
                version == 2 ? b.getLong(16) : -1, version == 2 ? sectors : 0, offsets, b.getLong(56));
    }
}
