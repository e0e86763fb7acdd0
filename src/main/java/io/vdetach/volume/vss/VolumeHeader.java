package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * The VSS volume header ("Volume header"), part of the NTFS boot area at 0x1e00, as stored.
 *
 * @param catalogOffset the first catalog block, from the start of the volume; 0 when there are no stores
 * @param maximumSize the shadow storage limit; 0 when unbounded
 * @param volumeId the volume the shadow copies are of
 * @param storageVolumeId the volume their stores are kept on
 */
record VolumeHeader(int version, long catalogOffset, long maximumSize, UUID volumeId, UUID storageVolumeId) {

    static final long OFFSET = 0x1e00;
    static final int SIZE = 512;
    private static final int RECORD_TYPE = 0x01;
    private static final UUID NIL = new UUID(0, 0);

    /** The header in {@code b} (read at {@link #OFFSET}), or null when the volume has no VSS identifier there. */
    static VolumeHeader parse(ByteBuffer b, long volumeSize) {
        if (!Vss.guid(b, 0).equals(Vss.IDENTIFIER)) return null;
        int version = b.getInt(16);
        // "Version": 1 Windows Vista and 7, 2 Windows 8
        if (version != 1 && version != 2) {
            throw new UnsupportedImageException(Vss.FORMAT, "volume header", OFFSET + 16, "VSS version " + version);
        }
        int type = b.getInt(20);
        if (type != RECORD_TYPE) {
            throw new CorruptImageException(Vss.FORMAT, "volume header", OFFSET + 20, "record type " + type + ", not 1");
        }
        long catalog = b.getLong(48);
        if (catalog != 0 && (catalog % Vss.BLOCK != 0 || catalog < 0 || catalog > volumeSize - Vss.BLOCK)) {
            throw new CorruptImageException(Vss.FORMAT, "volume header", OFFSET + 48, "catalog offset " + catalog
                    + " is not a 16 KiB block inside the volume (" + volumeSize + " bytes)");
        }
        return new VolumeHeader(version, catalog, b.getLong(56), Vss.guid(b, 64), Vss.guid(b, 80));
    }

    /** The stores are kept on another volume (its identifier differs from this one's). */
    boolean storageElsewhere() {
        return !storageVolumeId.equals(NIL) && !storageVolumeId.equals(volumeId);
    }
}
