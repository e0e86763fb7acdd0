package io.vdetach.guestfs.ext.codec;

/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78) as ext4 uses it: {@code ext4_chksum}
 * is the raw register update, without the usual initial and final inversion, so seeds chain
 * (the filesystem seed, then the inode number, then the generation …). java.util.zip.CRC32C
 * cannot start from an arbitrary register, hence this table.
 */
public final class Crc32c {
    private static final int[][] T = new int[8][256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) c = (c >>> 1) ^ ((c & 1) != 0 ? 0x82F63B78 : 0);
            T[0][i] = c;
        }
        for (int i = 0; i < 256; i++) {
            for (int t = 1; t < 8; t++) T[t][i] = (T[t - 1][i] >>> 8) ^ T[0][T[t - 1][i] & 0xFF];
        }
    }

    private Crc32c() {}

    /** Updates register {@code crc} with {@code len} bytes of {@code b} from {@code off} (slicing by 8). */
    public static int update(int crc, byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            int lo = crc ^ ((b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24);
            crc = T[7][lo & 0xFF] ^ T[6][(lo >>> 8) & 0xFF] ^ T[5][(lo >>> 16) & 0xFF] ^ T[4][lo >>> 24]
                    ^ T[3][b[i + 4] & 0xFF] ^ T[2][b[i + 5] & 0xFF] ^ T[1][b[i + 6] & 0xFF] ^ T[0][b[i + 7] & 0xFF];
            i += 8;
        }
        for (; i < end; i++) crc = (crc >>> 8) ^ T[0][(crc ^ b[i]) & 0xFF];
        return crc;
    }

    /** Updates {@code crc} with a little-endian 32-bit value. */
    public static int updateInt(int crc, int v) {
        byte[] b = {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
        return update(crc, b, 0, 4);
    }

    /** Updates {@code crc} with a little-endian 64-bit value. */
    public static int updateLong(int crc, long v) {
        return updateInt(updateInt(crc, (int) v), (int) (v >>> 32));
    }
}
