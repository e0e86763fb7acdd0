package io.vdetach.guestfs.ext.codec;

/**
 * CRC16 (ANSI, reflected polynomial 0xA001) as e2fsprogs' {@code ext2fs_crc16}: the
 * group-descriptor checksum when the filesystem has gdt_csum but not metadata_csum.
 */
public final class Crc16 {
    private static final int[] T = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) c = (c >>> 1) ^ ((c & 1) != 0 ? 0xA001 : 0);
            T[i] = c;
        }
    }

    private Crc16() {}

    public static int update(int crc, byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) crc = ((crc >>> 8) ^ T[(crc ^ b[i]) & 0xFF]) & 0xFFFF;
        return crc;
    }
}
