package io.vdetach.volume.bitlocker;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;

/**
 * AES-CCM (NIST SP 800-38C; RFC 3610's formatting of B0, the associated data and the counter
 * blocks), built on the JDK's AES/ECB, which has no CCM. BitLocker wraps its keys with it (the
 * VMK under a protector's key, the FVEK under the VMK): a 12-byte nonce, a 16-byte tag, no
 * associated data. Ciphertext here is {@code C || T} as the standard writes it; BitLocker stores
 * {@code T || C}, which {@link WrappedKey} rearranges.
 */
final class AesCcm {
    private AesCcm() {}

    private static final int BLOCK = 16;

    /** Encrypts and authenticates: returns {@code C || T} (T {@code tagLength} bytes). */
    static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plain, int tagLength) {
        check(nonce, tagLength, plain.length);
        Cipher aes = ecb(key);
        byte[] tag = mac(aes, nonce, aad, plain, 0, plain.length, tagLength);
        byte[] out = new byte[plain.length + tagLength];
        System.arraycopy(plain, 0, out, 0, plain.length);
        ctr(aes, nonce, out, 0, plain.length);
        byte[] s0 = block(aes, counter(nonce, 0));
        for (int i = 0; i < tagLength; i++) out[plain.length + i] = (byte) (tag[i] ^ s0[i]);
        return out;
    }

    /**
     * Decrypts {@code C || T} and checks the tag.
     *
     * @return the plaintext, or null when the tag does not match (a wrong key, or damage)
     */
    static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] sealed, int tagLength) {
        if (sealed.length < tagLength) return null;
        int n = sealed.length - tagLength;
        check(nonce, tagLength, n);
        Cipher aes = ecb(key);
        byte[] plain = java.util.Arrays.copyOf(sealed, n);
        ctr(aes, nonce, plain, 0, n);
        byte[] s0 = block(aes, counter(nonce, 0));
        byte[] want = new byte[tagLength];
        for (int i = 0; i < tagLength; i++) want[i] = (byte) (sealed[n + i] ^ s0[i]);
        byte[] got = mac(aes, nonce, aad, plain, 0, n, tagLength);
        return MessageDigest.isEqual(want, got) ? plain : null;
    }

    private static void check(byte[] nonce, int tagLength, int length) {
        // SP 800-38C A.1: nonce 7..13 bytes, tag 4..16 bytes and even
        if (nonce.length < 7 || nonce.length > 13) throw new IllegalArgumentException("CCM nonce of " + nonce.length + " bytes");
        if (tagLength < 4 || tagLength > 16 || tagLength % 2 != 0) throw new IllegalArgumentException("CCM tag of " + tagLength);
        int q = 15 - nonce.length;
        if (q < 4 && length >= (1 << (8 * q))) throw new IllegalArgumentException("CCM payload too long for the nonce");
    }

    /** CBC-MAC over B0, the encoded associated data and the payload (SP 800-38C 6.1 steps 1-4). */
    private static byte[] mac(Cipher aes, byte[] nonce, byte[] aad, byte[] p, int off, int len, int tagLength) {
        int q = 15 - nonce.length;
        byte[] x = new byte[BLOCK];
        x[0] = (byte) ((aad.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (q - 1));
        System.arraycopy(nonce, 0, x, 1, nonce.length);
        for (int i = 0; i < q; i++) x[15 - i] = (byte) (i < 4 ? len >>> (8 * i) : 0);
        x = block(aes, x);
        if (aad.length > 0) {
            // A.2.2: associated data shorter than 2^16 - 2^8 is prefixed by its 2-byte length
            if (aad.length >= 0xff00) throw new IllegalArgumentException("CCM associated data too long");
            byte[] a = new byte[2 + aad.length];
            a[0] = (byte) (aad.length >>> 8);
            a[1] = (byte) aad.length;
            System.arraycopy(aad, 0, a, 2, aad.length);
            x = absorb(aes, x, a, 0, a.length);
        }
        if (len > 0) x = absorb(aes, x, p, off, len);
        return java.util.Arrays.copyOf(x, tagLength);
    }

    /** Chains {@code len} bytes (zero-padded to whole blocks) into the MAC state {@code x}. */
    private static byte[] absorb(Cipher aes, byte[] x, byte[] d, int off, int len) {
        for (int at = 0; at < len; at += BLOCK) {
            for (int i = 0; i < BLOCK && at + i < len; i++) x[i] ^= d[off + at + i];
            x = block(aes, x);
        }
        return x;
    }

    /** XORs the key stream S1, S2, … into {@code d} (SP 800-38C 6.1 steps 5-8). */
    private static void ctr(Cipher aes, byte[] nonce, byte[] d, int off, int len) {
        for (int at = 0, i = 1; at < len; at += BLOCK, i++) {
            byte[] s = block(aes, counter(nonce, i));
            for (int j = 0; j < BLOCK && at + j < len; j++) d[off + at + j] ^= s[j];
        }
    }

    /** Counter block i: flags (q - 1), the nonce, i big-endian in q bytes (A.3). */
    private static byte[] counter(byte[] nonce, int i) {
        int q = 15 - nonce.length;
        byte[] c = new byte[BLOCK];
        c[0] = (byte) (q - 1);
        System.arraycopy(nonce, 0, c, 1, nonce.length);
        for (int k = 0; k < Math.min(q, 4); k++) c[15 - k] = (byte) (i >>> (8 * k));
        return c;
    }

    private static byte[] block(Cipher aes, byte[] in) {
        try {
            return aes.doFinal(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES block", e);
        }
    }

    static Cipher ecb(byte[] key) {
        return Aes.ecb(Cipher.ENCRYPT_MODE, key);
    }
}
