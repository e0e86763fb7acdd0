package io.vdetach.guestfs.fat;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The BIOS Parameter Block of a FAT boot sector, exactly as stored (fatgen103 section 3.1-3.3).
 * The FAT32 fields are read whatever the type; {@link FatLayout} decides which apply.
 */
record BiosParameterBlock(int bytesPerSector, int sectorsPerCluster, int reservedSectors, int numFats,
                          int rootEntryCount, long totalSectors16, int media, long fatSize16,
                          long totalSectors32, long fatSize32, int extFlags, int fsVersion, long rootCluster,
                          int bootSignature16, String label16, int bootSignature32, String label32) {

    static final String FORMAT = "fat";

    static BiosParameterBlock parse(ByteBuffer sector, long offsetForMessages) {
        ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < 512) throw new CorruptImageException(FORMAT, "boot sector", offsetForMessages, "shorter than 512 bytes");
        return new BiosParameterBlock(
                u16(b, 11), b.get(13) & 0xff, u16(b, 14), b.get(16) & 0xff,
                u16(b, 17), u16(b, 19), b.get(21) & 0xff, u16(b, 22),
                u32(b, 32), u32(b, 36), u16(b, 40), u16(b, 42), u32(b, 44),
                b.get(38) & 0xff, label(b, 43), b.get(66) & 0xff, label(b, 71));
    }

    private static int u16(ByteBuffer b, int at) { return b.getShort(at) & 0xffff; }

    private static long u32(ByteBuffer b, int at) { return b.getInt(at) & 0xffffffffL; }

    private static String label(ByteBuffer b, int at) {
        byte[] x = new byte[11];
        b.get(at, x);
        return OemCodePage.CP437.decode(x, 0, 11).stripTrailing();
    }
}
