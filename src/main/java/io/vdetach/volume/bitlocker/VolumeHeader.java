package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The first sector of a BitLocker volume (libyal BDE format, "Volume header"): its boot-sector
 * geometry and where the three FVE metadata blocks are. Three layouts: Vista ("-FVE-FS-", boot
 * entry EB 52 90, metadata block 1 as a cluster number at offset 56), Windows 7 and later
 * ("-FVE-FS-", identifier at 160, block offsets at 176) and To Go on FAT ("MSWIN4.1", identifier at
 * 424, block offsets at 440).
 *
 * @param metadataOffsets byte offsets of the blocks (Windows 7+, To Go); for Vista only the first
 *     is known here (the others are in its block header)
 */
record VolumeHeader(Variant variant, Guid identifier, int bytesPerSector, int sectorsPerCluster, long[] metadataOffsets) {

    enum Variant {
        VISTA("Windows Vista"), WINDOWS_7("Windows 7 or later"), TO_GO("To Go");

        final String label;

        Variant(String label) { this.label = label; }
    }

    static final String FORMAT = "bitlocker";
    static final String SIGNATURE = "-FVE-FS-";
    /** BitLocker To Go keeps the FAT32 boot sector's OEM name. */
    static final String TO_GO_SIGNATURE = "MSWIN4.1";
    /** The BitLocker identifier of volumes encrypted in full (libyal BDE format, "Overview"). */
    static final Guid BITLOCKER = Guid.of("4967d63b-2e29-4ad8-8399-f6a339e3d001");
    /**
     * The identifier Windows writes for Encrypt-on-Write ("used space only") conversions: which
     * sectors are encrypted is then kept in FVE-EOW bitmaps (cryptsetup refuses such volumes too).
     */
    static final Guid ENCRYPT_ON_WRITE = Guid.of("92a84d3b-dd80-4d0e-9e4e-b1e3284eaed8");
    static final int SIZE = 512;

    private static final int SIGNATURE_AT = 3;
    private static final int IDENTIFIER_AT = 160;
    private static final int OFFSETS_AT = 176;
    private static final int TO_GO_IDENTIFIER_AT = 424;
    private static final int TO_GO_OFFSETS_AT = 440;
    private static final int VISTA_CLUSTER_AT = 56;
    /** Sector sizes Windows formats: 512 to 4096 bytes, a power of two. */
    private static final int MIN_SECTOR = 512;
    private static final int MAX_SECTOR = 4096;

    /** Whether the first sector looks like BitLocker (cheap: signatures only, nothing checked). */
    static boolean probe(ByteBuffer head) {
        if (head.limit() < SIZE) return false;
        if (has(head, SIGNATURE_AT, SIGNATURE)) return true;
        return has(head, SIGNATURE_AT, TO_GO_SIGNATURE) && known(Guid.read(head, TO_GO_IDENTIFIER_AT));
    }

    static VolumeHeader parse(ByteBuffer sector) {
        ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Variant variant;
        Guid id;
        int offsetsAt;
        if (has(b, SIGNATURE_AT, SIGNATURE)) {
            id = Guid.read(b, IDENTIFIER_AT);
            if (known(id)) {
                variant = Variant.WINDOWS_7;
                offsetsAt = OFFSETS_AT;
            } else if ((b.get(0) & 0xff) == 0xeb && (b.get(1) & 0xff) == 0x52 && (b.get(2) & 0xff) == 0x90) {
                variant = Variant.VISTA;
                offsetsAt = -1;
            } else {
                throw new UnsupportedImageException(FORMAT, "volume header identifier", IDENTIFIER_AT, "BitLocker identifier " + id);
            }
        } else if (has(b, SIGNATURE_AT, TO_GO_SIGNATURE) && known(Guid.read(b, TO_GO_IDENTIFIER_AT))) {
            variant = Variant.TO_GO;
            id = Guid.read(b, TO_GO_IDENTIFIER_AT);
            offsetsAt = TO_GO_OFFSETS_AT;
        } else {
            throw new CorruptImageException(FORMAT, "volume header", 0, "no -FVE-FS- or To Go signature");
        }
        int bps = Short.toUnsignedInt(b.getShort(11));
        if (bps < MIN_SECTOR || bps > MAX_SECTOR || Integer.bitCount(bps) != 1) {
            throw new CorruptImageException(FORMAT, "volume header bytes per sector", 11, bps + " is not a power of two in [512, 4096]");
        }
        int spc = Byte.toUnsignedInt(b.get(13));
        long[] offsets;
        if (variant == Variant.VISTA) {
            // Vista: metadata block 1 as a cluster number; the block header names all three
            if (spc == 0 || Integer.bitCount(spc) != 1) {
                throw new CorruptImageException(FORMAT, "volume header sectors per cluster", 13, spc + " is not a power of two");
            }
            long cluster = b.getLong(VISTA_CLUSTER_AT);
            long max = Long.MAX_VALUE / ((long) spc * bps);
            if (cluster <= 0 || cluster > max) {
                throw new CorruptImageException(FORMAT, "volume header FVE metadata block 1 cluster", VISTA_CLUSTER_AT,
                        Long.toUnsignedString(cluster) + " out of range");
            }
            offsets = new long[] {cluster * spc * bps};
        } else {
            offsets = new long[] {b.getLong(offsetsAt), b.getLong(offsetsAt + 8), b.getLong(offsetsAt + 16)};
        }
        return new VolumeHeader(variant, id, bps, spc, offsets);
    }

    boolean encryptOnWrite() { return identifier.equals(ENCRYPT_ON_WRITE); }

    /** Where the metadata offsets are stored, for messages. */
    int offsetsAt() {
        return switch (variant) {
            case VISTA -> VISTA_CLUSTER_AT;
            case WINDOWS_7 -> OFFSETS_AT;
            case TO_GO -> TO_GO_OFFSETS_AT;
        };
    }

    private static boolean known(Guid id) { return id.equals(BITLOCKER) || id.equals(ENCRYPT_ON_WRITE); }

    private static boolean has(ByteBuffer b, int at, String s) {
        byte[] want = s.getBytes(StandardCharsets.US_ASCII);
        if (at + want.length > b.limit()) return false;
        for (int i = 0; i < want.length; i++) if (b.get(at + i) != want[i]) return false;
        return true;
    }
}
