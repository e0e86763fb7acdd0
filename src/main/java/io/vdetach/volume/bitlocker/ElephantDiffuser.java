package io.vdetach.volume.bitlocker;

/**
 * The Elephant diffusers A and B of AES-CBC + Elephant (Niels Ferguson, "AES-CBC + Elephant
 * diffuser: A Disk Encryption Algorithm for Windows Vista", Microsoft, August 2006, section 4),
 * used by BitLocker methods 0x8000/0x8001 (Vista, Windows 7, 8). A sector is n little-endian
 * 32-bit words d[0..n-1], indices taken modulo n. Decryption runs B then A:
 * A: 5 cycles of d[i] += d[i-2] ^ (d[i-5] <<< Ra[i mod 4]), Ra = (9, 0, 13, 0);
 * B: 3 cycles of d[i] += d[i+2] ^ (d[i+5] <<< Rb[i mod 4]), Rb = (0, 10, 0, 25); i ascending.
 * Encryption is the same steps undone in reverse order.
 */
final class ElephantDiffuser {
    private ElephantDiffuser() {}

    private static final int A_CYCLES = 5;
    private static final int B_CYCLES = 3;
    private static final int[] RA = {9, 0, 13, 0};
    private static final int[] RB = {0, 10, 0, 25};

    // The loops below are the formulas above with the modulo taken out of the common case: only the
    // first (A) or last (B) five words wrap around.

    /** Diffuser A, decryption direction. */
    static void aDecrypt(int[] d) {
        int n = d.length;
        for (int c = 0; c < A_CYCLES; c++) {
            for (int i = 0; i < 5; i++) d[i] += d[Math.floorMod(i - 2, n)] ^ Integer.rotateLeft(d[Math.floorMod(i - 5, n)], RA[i & 3]);
            for (int i = 5; i < n; i++) d[i] += d[i - 2] ^ Integer.rotateLeft(d[i - 5], RA[i & 3]);
        }
    }

    /** Diffuser A, encryption direction (undoes {@link #aDecrypt}). */
    static void aEncrypt(int[] d) {
        int n = d.length;
        for (int c = 0; c < A_CYCLES; c++) {
            for (int i = n - 1; i >= 5; i--) d[i] -= d[i - 2] ^ Integer.rotateLeft(d[i - 5], RA[i & 3]);
            for (int i = 4; i >= 0; i--) d[i] -= d[Math.floorMod(i - 2, n)] ^ Integer.rotateLeft(d[Math.floorMod(i - 5, n)], RA[i & 3]);
        }
    }

    /** Diffuser B, decryption direction. */
    static void bDecrypt(int[] d) {
        int n = d.length;
        for (int c = 0; c < B_CYCLES; c++) {
            for (int i = 0; i < n - 5; i++) d[i] += d[i + 2] ^ Integer.rotateLeft(d[i + 5], RB[i & 3]);
            for (int i = n - 5; i < n; i++) d[i] += d[(i + 2) % n] ^ Integer.rotateLeft(d[(i + 5) % n], RB[i & 3]);
        }
    }

    /** Diffuser B, encryption direction (undoes {@link #bDecrypt}). */
    static void bEncrypt(int[] d) {
        int n = d.length;
        for (int c = 0; c < B_CYCLES; c++) {
            for (int i = n - 1; i >= n - 5; i--) d[i] -= d[(i + 2) % n] ^ Integer.rotateLeft(d[(i + 5) % n], RB[i & 3]);
            for (int i = n - 6; i >= 0; i--) d[i] -= d[i + 2] ^ Integer.rotateLeft(d[i + 5], RB[i & 3]);
        }
    }
}
