package io.vdetach.volume.bitlocker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import javax.crypto.Cipher;

/**
 * AES-CBC as BitLocker uses it (methods 0x8000-0x8003; libyal BDE format, "AES-CBC" and "AES-CBC
 * with Elephant Diffuser"): each sector is chained on its own, its IV the sector's byte offset
 * as a 16-byte little-endian value encrypted with the FVEK (cryptsetup calls this "eboiv").
 * With the Elephant diffuser, decryption continues with diffuser B, diffuser A, and an XOR with
 * the 32-byte sector key: the byte offset encrypted with the TWEAK key, then the same offset
 * with its byte 15 set to 0x80 encrypted with the TWEAK key.
 *
 * <p>Decryption is bulk: one AES/ECB call decrypts every block of the range, then each block is
 * XORed with the ciphertext block before it (or the sector's IV), which is what CBC decryption is.
 */
final class CbcSectors implements SectorCipher {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** Byte 15 of the second half of the Elephant sector key's input. */
    private static final long SECTOR_KEY_HIGH_BIT = 0x80L << 56;

    private final int sectorSize;
    private final byte[] fvek;
    private final byte[] tweakKey;
    private final WorkPool<Work> work = new WorkPool<>(Work::new);

    private final class Work {
        final Cipher ivs = Aes.ecb(Cipher.ENCRYPT_MODE, fvek);
        final Cipher dec = Aes.ecb(Cipher.DECRYPT_MODE, fvek);
        final Cipher tweak = tweakKey == null ? null : Aes.ecb(Cipher.ENCRYPT_MODE, tweakKey);
        final int[] words = new int[sectorSize / 4];
        byte[] iv = new byte[0];
        byte[] keys = new byte[0];
        byte[] copy = new byte[0];
    }

    /** @param tweakKey the Elephant TWEAK key, or null for plain AES-CBC */
    CbcSectors(byte[] fvek, byte[] tweakKey, int sectorSize) {
        this.sectorSize = sectorSize;
        this.fvek = fvek.clone();
        this.tweakKey = tweakKey == null ? null : tweakKey.clone();
    }

    @Override
    public int sectorSize() { return sectorSize; }

    @Override
    public void decrypt(long position, byte[] b, int off, int len) {
        checkWhole(position, len);
        if (len == 0) return;
        work.with(w -> decrypt(w, position, b, off, len));
    }

    private void decrypt(Work w, long position, byte[] b, int off, int len) {
        int sectors = len / sectorSize;
        byte[] iv = offsets(w, position, sectors, false);
        Aes.inPlace(w.ivs, iv, 0, sectors * 16);
        if (w.copy.length < len) w.copy = new byte[len];
        System.arraycopy(b, off, w.copy, 0, len);
        Aes.run(w.dec, w.copy, 0, len, b, off);
        for (int s = 0; s < sectors; s++) {
            int base = s * sectorSize;
            xor16(b, off + base, iv, s * 16);
            for (int j = 16; j < sectorSize; j += 16) xor16(b, off + base + j, w.copy, base + j - 16);
        }
        if (w.tweak != null) {
            byte[] keys = sectorKeys(w, position, sectors);
            for (int s = 0; s < sectors; s++) {
                int base = off + s * sectorSize;
                load(b, base, w.words);
                ElephantDiffuser.bDecrypt(w.words);
                ElephantDiffuser.aDecrypt(w.words);
                store(w.words, b, base);
                for (int j = 0; j < sectorSize; j += 8) {
                    LONG.set(b, base + j, (long) LONG.get(b, base + j) ^ (long) LONG.get(keys, s * 32 + (j & 31)));
                }
            }
        }
    }

    @Override
    public void encrypt(long position, byte[] b, int off, int len) {
        checkWhole(position, len);
        if (len == 0) return;
        work.with(w -> encrypt(w, position, b, off, len));
    }

    private void encrypt(Work w, long position, byte[] b, int off, int len) {
        int sectors = len / sectorSize;
        Cipher enc = Aes.ecb(Cipher.ENCRYPT_MODE, fvek);
        byte[] keys = w.tweak == null ? null : sectorKeys(w, position, sectors).clone();
        byte[] iv = offsets(w, position, sectors, false);
        Aes.inPlace(w.ivs, iv, 0, sectors * 16);
        for (int s = 0; s < sectors; s++) {
            int base = off + s * sectorSize;
            if (keys != null) {
                for (int j = 0; j < sectorSize; j += 8) {
                    LONG.set(b, base + j, (long) LONG.get(b, base + j) ^ (long) LONG.get(keys, s * 32 + (j & 31)));
                }
                load(b, base, w.words);
                ElephantDiffuser.aEncrypt(w.words);
                ElephantDiffuser.bEncrypt(w.words);
                store(w.words, b, base);
            }
            xor16(b, base, iv, s * 16);
            Aes.inPlace(enc, b, base, 16);
            for (int j = 16; j < sectorSize; j += 16) {
                xor16(b, base + j, b, base + j - 16);
                Aes.inPlace(enc, b, base + j, 16);
            }
        }
    }

    /** Each sector's byte offset as a 16-byte little-endian value (optionally with byte 15 = 0x80). */
    private static byte[] offsets(Work w, long position, int sectors, boolean high) {
        if (w.iv.length < sectors * 16) w.iv = new byte[sectors * 16];
        return fill(w.iv, position, sectors, w.words.length * 4, high, 16, 0);
    }

    private static byte[] fill(byte[] into, long position, int sectors, int sectorSize, boolean high, int stride, int at) {
        for (int s = 0; s < sectors; s++) {
            LONG.set(into, s * stride + at, position + (long) s * sectorSize);
            LONG.set(into, s * stride + at + 8, high ? SECTOR_KEY_HIGH_BIT : 0L);
        }
        return into;
    }

    /** The Elephant sector keys, 32 bytes per sector, encrypted with the TWEAK key in one call. */
    private byte[] sectorKeys(Work w, long position, int sectors) {
        if (w.keys.length < sectors * 32) w.keys = new byte[sectors * 32];
        fill(w.keys, position, sectors, sectorSize, false, 32, 0);
        fill(w.keys, position, sectors, sectorSize, true, 32, 16);
        Aes.inPlace(w.tweak, w.keys, 0, sectors * 32);
        return w.keys;
    }

    private static void xor16(byte[] b, int at, byte[] k, int kat) {
        LONG.set(b, at, (long) LONG.get(b, at) ^ (long) LONG.get(k, kat));
        LONG.set(b, at + 8, (long) LONG.get(b, at + 8) ^ (long) LONG.get(k, kat + 8));
    }

    private static void load(byte[] b, int at, int[] words) {
        for (int i = 0; i < words.length; i++) words[i] = (int) INT.get(b, at + 4 * i);
    }

    private static void store(int[] words, byte[] b, int at) {
        for (int i = 0; i < words.length; i++) INT.set(b, at + 4 * i, words[i]);
    }
}
