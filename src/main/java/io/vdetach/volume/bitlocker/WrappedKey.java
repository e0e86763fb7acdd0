package io.vdetach.volume.bitlocker;

import java.util.Arrays;

/**
 * An AES-CCM encrypted key (value type 5; libyal BDE format, "FVE AES-CCM encrypted key"): nonce
 * date and time (8) and counter (4), which together are the 12-byte CCM nonce, then the 16-byte
 * MAC and the ciphertext. No associated data. What it decrypts to is a {@link KeyEntry}.
 */
final class WrappedKey {
    private WrappedKey() {}

    static final int NONCE = 12;
    static final int TAG = 16;

    /** The key inside, or null when its tag does not match {@code key} (another protector's key, or a wrong secret). */
    static KeyEntry unwrap(FveEntry wrapped, byte[] key) {
        wrapped.need(NONCE + TAG, "a nonce and a MAC");
        byte[] d = wrapped.data();
        byte[] nonce = Arrays.copyOf(d, NONCE);
        // BitLocker stores T || C; the standard (and AesCcm) C || T
        byte[] sealed = new byte[d.length - NONCE];
        int c = d.length - NONCE - TAG;
        System.arraycopy(d, NONCE + TAG, sealed, 0, c);
        System.arraycopy(d, NONCE, sealed, c, TAG);
        byte[] plain = AesCcm.open(key, nonce, new byte[0], sealed, TAG);
        return plain == null ? null : KeyEntry.unwrapped(plain, wrapped.at());
    }

    /** The value bytes of an AES-CCM encrypted key holding {@code plainEntry} (tests build metadata with it). */
    static byte[] wrap(byte[] key, byte[] nonce, byte[] plainEntry) {
        byte[] sealed = AesCcm.seal(key, nonce, new byte[0], plainEntry, TAG);
        byte[] out = new byte[NONCE + sealed.length];
        System.arraycopy(nonce, 0, out, 0, NONCE);
        System.arraycopy(sealed, plainEntry.length, out, NONCE, TAG);
        System.arraycopy(sealed, 0, out, NONCE + TAG, plainEntry.length);
        return out;
    }
}
