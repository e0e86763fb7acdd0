package io.vdetach.volume.bitlocker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import javax.crypto.Cipher;

/**
 * AES-XTS (IEEE 1619-2007) as BitLocker uses it since Windows 10 1511 (methods 0x8004/0x8005):
 * the data unit is one sector, its tweak the sector number (byte offset / sector size) as a
 * 16-byte little-endian value (libyal BDE format, "AES-XTS"); the FVEK holds key 1 then key 2.
 * Sectors are whole multiples of 16 bytes, so ciphertext stealing never applies.
 *
 * <p>Speed: a read decrypts many sectors at once. Their tweaks are encrypted in one AES call,
 * each block's mask T_j = T_0 · α^j is laid out in a scratch array, and 64 KiB at a time goes
 * through the JDK's AES/ECB in one call between two XOR passes, so the AES work runs in the
 * JDK's vectorised intrinsic.
 */
final class XtsSectors implements SectorCipher {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** IEEE 1619 5.2: multiplication by α reduces with x^128 + x^7 + x^2 + x + 1. */
    private static final long GF_128_FEEDBACK = 0x87;

    private final int sectorSize;
    private final byte[] dataKey;
    private final byte[] tweakKey;
    private final ThreadLocal<Work> work;

    /** Per-thread ciphers and scratch space. */
    private final class Work {
        final Cipher tweak = Aes.ecb(Cipher.ENCRYPT_MODE, tweakKey);
        final Cipher dec = Aes.ecb(Cipher.DECRYPT_MODE, dataKey);
        final Cipher enc = Aes.ecb(Cipher.ENCRYPT_MODE, dataKey);
        byte[] tweaks = new byte[0];
        byte[] mask = new byte[0];
        byte[] masked = new byte[0];
    }

    /** @param key key 1 (data) followed by key 2 (tweak), 32 or 64 bytes */
    XtsSectors(byte[] key, int sectorSize) {
        if (key.length != 32 && key.length != 64) throw new IllegalArgumentException("XTS key of " + key.length + " bytes");
        this.sectorSize = sectorSize;
        this.dataKey = java.util.Arrays.copyOfRange(key, 0, key.length / 2);
        this.tweakKey = java.util.Arrays.copyOfRange(key, key.length / 2, key.length);
        this.work = ThreadLocal.withInitial(Work::new);
    }

    @Override
    public int sectorSize() { return sectorSize; }

    @Override
    public void decrypt(long position, byte[] b, int off, int len) {
        run(position, b, off, len, false);
    }

    @Override
    public void encrypt(long position, byte[] b, int off, int len) {
        run(position, b, off, len, true);
    }

    /** Bytes masked, run through AES and unmasked at a time: data and mask then stay in the core's cache. */
    private static final int STEP = 64 << 10;

    private void run(long position, byte[] b, int off, int len, boolean encrypt) {
        checkWhole(position, len);
        int step = Math.max(sectorSize, STEP / sectorSize * sectorSize);
        for (int done = 0; done < len; done += step) {
            runStep(position + done, b, off + done, Math.min(step, len - done), encrypt);
        }
    }

    private void runStep(long position, byte[] b, int off, int len, boolean encrypt) {
        Work w = work.get();
        int sectors = len / sectorSize;
        if (w.tweaks.length < sectors * 16) w.tweaks = new byte[sectors * 16];
        if (w.mask.length < len) {
            w.mask = new byte[len];
            w.masked = new byte[len];
        }
        byte[] t = w.tweaks;
        byte[] m = w.mask;
        byte[] x = w.masked;
        long first = position / sectorSize;
        for (int s = 0; s < sectors; s++) {
            LONG.set(t, s * 16, first + s);
            LONG.set(t, s * 16 + 8, 0L);
        }
        Aes.inPlace(w.tweak, t, 0, sectors * 16);
        for (int s = 0; s < sectors; s++) {
            long lo = (long) LONG.get(t, s * 16);
            long hi = (long) LONG.get(t, s * 16 + 8);
            int base = s * sectorSize;
            for (int j = 0; j < sectorSize; j += 16) {
                int at = base + j;
                LONG.set(m, at, lo);
                LONG.set(m, at + 8, hi);
                LONG.set(x, at, (long) LONG.get(b, off + at) ^ lo);
                LONG.set(x, at + 8, (long) LONG.get(b, off + at + 8) ^ hi);
                long carry = hi >> 63; // all ones when the top bit is set
                hi = (hi << 1) | (lo >>> 63);
                lo = (lo << 1) ^ (carry & GF_128_FEEDBACK);
            }
        }
        // from the masked copy back into b: the JDK copies its input first when the two overlap
        Aes.run(encrypt ? w.enc : w.dec, x, 0, len, b, off);
        for (int at = 0; at < len; at += 8) LONG.set(b, off + at, (long) LONG.get(b, off + at) ^ (long) LONG.get(m, at));
    }
}
