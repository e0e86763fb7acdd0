package io.vdetach.volume.bitlocker;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/** The JDK's AES/ECB/NoPadding (intrinsified on AES-NI/VAES), the one block primitive every mode here is built on. */
final class Aes {
    private Aes() {}

    /** A cipher for one key and direction; not thread-safe, so callers keep one per thread. */
    static Cipher ecb(int mode, byte[] key) {
        if (key.length != 16 && key.length != 32) throw new IllegalArgumentException("AES key of " + key.length + " bytes");
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"));
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no AES/ECB/NoPadding", e);
        }
    }

    /** Runs whole blocks of {@code in[from, from + len)} through {@code c} into {@code out[to, …)} (not overlapping). */
    static void run(Cipher c, byte[] in, int from, int len, byte[] out, int to) {
        try {
            int n = c.doFinal(in, from, len, out, to);
            if (n != len) throw new IllegalStateException("AES returned " + n + " of " + len + " bytes");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES", e);
        }
    }

    /** Runs whole blocks of {@code b[off, off + len)} through {@code c} in place (small inputs: the JDK copies them first). */
    static void inPlace(Cipher c, byte[] b, int off, int len) {
        try {
            int n = c.doFinal(b, off, len, b, off);
            if (n != len) throw new IllegalStateException("AES returned " + n + " of " + len + " bytes");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES", e);
        }
    }
}
