package io.vdetach.volume.bitlocker;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The key derivation of password and recovery-password protectors (libyal BDE format, "Recovery
 * key", "User key"): an 88-byte structure of last SHA-256 (32), initial SHA-256 (32), the stretch
 * key's salt (16) and a 64-bit little-endian count; 2^20 times, the last SHA-256 becomes the
 * SHA-256 of the structure and the count goes up by one. The last SHA-256 is the AES-256 key that
 * unwraps the protector's VMK. The format stores no round count: it is this fixed number.
 */
final class StretchKey {
    private StretchKey() {}

    static final int ROUNDS = 1 << 20;
    static final int SALT = 16;

    /** Password: the initial hash is SHA-256(SHA-256(the password as UTF-16LE)). */
    static byte[] fromPassword(String password, byte[] salt) {
        byte[] once = sha256(password.getBytes(StandardCharsets.UTF_16LE));
        return stretch(sha256(once), salt);
    }

    /** Recovery password: the initial hash is SHA-256 of its 16-byte key ({@link RecoveryPassword}). */
    static byte[] fromRecoveryKey(byte[] key16, byte[] salt) {
        return stretch(sha256(key16), salt);
    }

    static byte[] stretch(byte[] initial, byte[] salt) {
        if (initial.length != 32 || salt.length != SALT) throw new IllegalArgumentException("stretch input");
        byte[] s = new byte[88];
        System.arraycopy(initial, 0, s, 32, 32);
        System.arraycopy(salt, 0, s, 64, SALT);
        ByteBuffer count = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
        MessageDigest md = digest();
        try {
            for (long i = 0; i < ROUNDS; i++) {
                count.putLong(80, i);
                md.update(s, 0, s.length);
                md.digest(s, 0, 32);
            }
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256", e);
        }
        return java.util.Arrays.copyOf(s, 32);
    }

    static byte[] sha256(byte[] b) {
        return digest().digest(b);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
