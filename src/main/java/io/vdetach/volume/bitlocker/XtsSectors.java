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
 * <p>Speed: a read decrypts many sectors at once, {@link #STEP} bytes at a time so that the data
 * and the scratch arrays stay in the core's cache. Per step: the sectors' tweaks are encrypted in
 * one AES call; one scalar pass lays out each block's mask T_j = T_0 · α^j (a doubling in two
 * longs) and the block XORed with it; one JDK AES/ECB call (its vectorised intrinsic) runs the
 * masked copy back into the caller's array; a byte loop XORs the masks in again (scratch arrays
 * indexed like the caller's, which is what lets C2 vectorise it). The scalar pass is most of the
 * cost: AES/ECB alone runs about three times as fast as the whole (docs/benchmarks.md, issue 21).
 */
final class XtsSectors implements SectorCipher {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** IEEE 1619 5.2: multiplication by α reduces with x^128 + x^7 + x^2 + x + 1. */
    private static final long GF_128_FEEDBACK = 0x87;
    /** Bytes masked, run through AES and unmasked at a time (buffer + 2 scratch arrays in cache). */
    private static final int STEP = 16 << 10;

    private final int sectorSize;
    private final byte[] dataKey;
    private final byte[] tweakKey;
    private final WorkPool<Work> work = new WorkPool<>(Work::new);

    /** One call's ciphers (initialised once per key, never per sector) and scratch space. */
    private final class Work {
        final Cipher tweak = Aes.ecb(Cipher.ENCRYPT_MODE, tweakKey);
        final Cipher dec = Aes.ecb(Cipher.DECRYPT_MODE, dataKey);
        final Cipher enc = Aes.ecb(Cipher.ENCRYPT_MODE, dataKey);
        final int step = Math.max(sectorSize, STEP / sectorSize * sectorSize);
        final byte[] units = new byte[step / sectorSize * 16];
        final byte[] tweaks = new byte[units.length];
        /** Indexed like the caller's array (see runStep), grown to its largest request. */
        byte[] mask = new byte[0];
        byte[] masked = new byte[0];
    }

    /** @param key key 1 (data) followed by key 2 (tweak), 32 or 64 bytes */
    XtsSectors(byte[] key, int sectorSize) {
        if (key.length != 32 && key.length != 64) throw new IllegalArgumentException("XTS key of " + key.length + " bytes");
        this.sectorSize = sectorSize;
        this.dataKey = java.util.Arrays.copyOfRange(key, 0, key.length / 2);
        this.tweakKey = java.util.Arrays.copyOfRange(key, key.length / 2, key.length);
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

    private void run(long position, byte[] b, int off, int len, boolean encrypt) {
        checkWhole(position, len);
        work.with(w -> {
            if (w.mask.length < off + len) {
                w.mask = new byte[off + len];
                w.masked = new byte[off + len];
            }
            for (int done = 0; done < len; done += w.step) {
                runStep(w, position + done, b, off + done, Math.min(w.step, len - done), encrypt);
            }
        });
    }

    /**
     * One step over {@code b[from, from + len)}. The scratch arrays are indexed like {@code b}: loops
     * whose arrays share one index are the ones C2 turns into vector instructions.
     */
    private void runStep(Work w, long position, byte[] b, int from, int len, boolean encrypt) {
        int sectors = len / sectorSize;
        byte[] t = w.tweaks;
        byte[] m = w.mask;
        byte[] x = w.masked;
        long first = position / sectorSize;
        for (int s = 0; s < sectors; s++) {
            LONG.set(w.units, s * 16, first + s);
            LONG.set(w.units, s * 16 + 8, 0L);
        }
        Aes.run(w.tweak, w.units, 0, sectors * 16, t, 0);
        for (int s = 0; s < sectors; s++) {
            long lo = (long) LONG.get(t, s * 16);
            long hi = (long) LONG.get(t, s * 16 + 8);
            int base = from + s * sectorSize;
            for (int j = base; j < base + sectorSize; j += 16) {
                LONG.set(m, j, lo);
                LONG.set(m, j + 8, hi);
                LONG.set(x, j, (long) LONG.get(b, j) ^ lo);
                LONG.set(x, j + 8, (long) LONG.get(b, j + 8) ^ hi);
                long carry = hi >> 63; // all ones when the top bit is set
                hi = (hi << 1) | (lo >>> 63);
                lo = (lo << 1) ^ (carry & GF_128_FEEDBACK);
            }
        }
        int end = from + len;
        Aes.run(encrypt ? w.enc : w.dec, x, from, len, b, from);
        for (int i = from; i < end; i++) b[i] ^= m[i];
    }
}
