package io.vdetach.volume.mbr;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A filesystem boot sector (FAT, NTFS, exFAT) also ends in 0x55AA; telling it from an MBR
 * keeps an unpartitioned FAT or NTFS disk from being read as a partition table.
 */
final class BootSectorSignature {
    private BootSectorSignature() {}

    static boolean isFilesystemBootSector(ByteBuffer s) {
        return ascii(s, 3, 8).equals("NTFS    ")
                || ascii(s, 3, 8).equals("EXFAT   ")
                || ascii(s, 0x36, 5).equals("FAT12")
                || ascii(s, 0x36, 5).equals("FAT16")
                || ascii(s, 0x52, 5).equals("FAT32");
    }

    private static String ascii(ByteBuffer s, int at, int len) {
        byte[] b = new byte[len];
        s.get(at, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
