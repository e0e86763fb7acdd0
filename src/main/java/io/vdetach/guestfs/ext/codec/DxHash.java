package io.vdetach.guestfs.ext.codec;

/**
 * The htree name hashes ("ext4 Data Structures and Algorithms" 4.4.5, Hash Tree Directories):
 * legacy (dx_hack_hash), half-MD4 and TEA, each in a signed-char and an unsigned-char variant
 * (s_flags says which the filesystem was created with). Only the major hash is needed to
 * find the leaf a name belongs to.
 */
public final class DxHash {
    public static final int LEGACY = 0, HALF_MD4 = 1, TEA = 2, LEGACY_UNSIGNED = 3, HALF_MD4_UNSIGNED = 4, TEA_UNSIGNED = 5;

    private DxHash() {}

    /** The major hash of {@code name} (low bit clear), or -1 for an unknown version. */
    public static long hash(byte[] name, int version, int[] seed) {
        int[] buf = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
        boolean seeded = false;
        for (int s : seed) seeded |= s != 0;
        if (seeded) buf = seed.clone();
        int h;
        switch (version) {
            case LEGACY, LEGACY_UNSIGNED -> h = legacy(name, version == LEGACY_UNSIGNED);
            case HALF_MD4, HALF_MD4_UNSIGNED -> {
                int[] in = new int[8];
                for (int p = 0, len = name.length; len > 0; p += 32, len -= 32) {
                    str2hashbuf(name, p, len, in, 8, version == HALF_MD4_UNSIGNED);
                    halfMd4(buf, in);
                }
                if (name.length == 0) return -1;
                h = buf[1];
            }
            case TEA, TEA_UNSIGNED -> {
                int[] in = new int[4];
                for (int p = 0, len = name.length; len > 0; p += 16, len -= 16) {
                    str2hashbuf(name, p, len, in, 4, version == TEA_UNSIGNED);
                    tea(buf, in);
                }
                if (name.length == 0) return -1;
                h = buf[0];
            }
            default -> {
                return -1;
            }
        }
        h &= ~1;
        if (h == (0x7fffffff << 1)) h = (0x7fffffff - 1) << 1; // EXT4_HTREE_EOF_32BIT is reserved
        return h & 0xFFFFFFFFL;
    }

    private static int ch(byte b, boolean unsigned) { return unsigned ? b & 0xFF : b; }

    private static int legacy(byte[] name, boolean unsigned) {
        int hash0 = 0x12a3fe2d, hash1 = 0x37abe8f9;
        for (byte b : name) {
            int hash = hash1 + (hash0 ^ (ch(b, unsigned) * 7152373));
            if ((hash & 0x80000000) != 0) hash -= 0x7fffffff;
            hash1 = hash0;
            hash0 = hash;
        }
        return hash0 << 1;
    }

    private static void str2hashbuf(byte[] msg, int off, int len, int[] buf, int num, boolean unsigned) {
        int pad = len | (len << 8);
        pad |= pad << 16;
        int val = pad;
        if (len > num * 4) len = num * 4;
        int bi = 0;
        for (int i = 0; i < len; i++) {
            val = ch(msg[off + i], unsigned) + (val << 8);
            if (i % 4 == 3) {
                buf[bi++] = val;
                val = pad;
                num--;
            }
        }
        if (--num >= 0) buf[bi++] = val;
        while (--num >= 0) buf[bi++] = pad;
    }

    private static void tea(int[] buf, int[] in) {
        int sum = 0;
        int b0 = buf[0], b1 = buf[1];
        int a = in[0], b = in[1], c = in[2], d = in[3];
        for (int n = 0; n < 16; n++) {
            sum += 0x9E3779B9;
            b0 += ((b1 << 4) + a) ^ (b1 + sum) ^ ((b1 >>> 5) + b);
            b1 += ((b0 << 4) + c) ^ (b0 + sum) ^ ((b0 >>> 5) + d);
        }
        buf[0] += b0;
        buf[1] += b1;
    }

    private static int f(int x, int y, int z) { return z ^ (x & (y ^ z)); }

    private static int g(int x, int y, int z) { return (x & y) + ((x ^ y) & z); }

    private static int h(int x, int y, int z) { return x ^ y ^ z; }

    private static final int K2 = 0x5A827999, K3 = 0x6ED9EBA1;

    private static void halfMd4(int[] buf, int[] in) {
        int a = buf[0], b = buf[1], c = buf[2], d = buf[3];
        a = Integer.rotateLeft(a + f(b, c, d) + in[0], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[1], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[2], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[3], 19);
        a = Integer.rotateLeft(a + f(b, c, d) + in[4], 3);
        d = Integer.rotateLeft(d + f(a, b, c) + in[5], 7);
        c = Integer.rotateLeft(c + f(d, a, b) + in[6], 11);
        b = Integer.rotateLeft(b + f(c, d, a) + in[7], 19);

        a = Integer.rotateLeft(a + g(b, c, d) + in[1] + K2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[3] + K2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[5] + K2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[7] + K2, 13);
        a = Integer.rotateLeft(a + g(b, c, d) + in[0] + K2, 3);
        d = Integer.rotateLeft(d + g(a, b, c) + in[2] + K2, 5);
        c = Integer.rotateLeft(c + g(d, a, b) + in[4] + K2, 9);
        b = Integer.rotateLeft(b + g(c, d, a) + in[6] + K2, 13);

        a = Integer.rotateLeft(a + h(b, c, d) + in[3] + K3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[7] + K3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[2] + K3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[6] + K3, 15);
        a = Integer.rotateLeft(a + h(b, c, d) + in[1] + K3, 3);
        d = Integer.rotateLeft(d + h(a, b, c) + in[5] + K3, 9);
        c = Integer.rotateLeft(c + h(d, a, b) + in[0] + K3, 11);
        b = Integer.rotateLeft(b + h(c, d, a) + in[4] + K3, 15);

        buf[0] += a;
        buf[1] += b;
        buf[2] += c;
        buf[3] += d;
    }
}
