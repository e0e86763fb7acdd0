package io.vdetach.volume.bitlocker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sector ciphers: XTS against IEEE 1619-2007's test vectors and OpenSSL (through Python), AES-CBC with
 * BitLocker's encrypted-offset IV against OpenSSL, the Elephant diffusers undone by their inverse.
 * (Elephant's output against Windows is checked by the corpus volumes' SHA-256.)
 */
class SectorCipherTest {
    private static final HexFormat HEX = HexFormat.of();
    @TempDir Path tmp;

    private static String xts(String key1, String key2, long unit, int unitBytes, byte[] plain) {
        XtsSectors x = new XtsSectors(HEX.parseHex(key1 + key2), unitBytes);
        byte[] b = plain.clone();
        x.encrypt(unit * unitBytes, b, 0, b.length);
        byte[] back = b.clone();
        x.decrypt(unit * unitBytes, back, 0, back.length);
        assertArrayEquals(plain, back, "decrypt undoes encrypt");
        return HEX.formatHex(b);
    }

    private static byte[] fill(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    @Test
    void ieee1619Vectors() {
        String zero = "00000000000000000000000000000000";
        assertEquals("917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e", xts(zero, zero, 0, 32, new byte[32]));
        assertEquals("c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0",
                xts("11111111111111111111111111111111", "22222222222222222222222222222222", 0x3333333333L, 32, fill(32, 0x44)));
        assertEquals("af85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89",
                xts("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0", "22222222222222222222222222222222", 0x3333333333L, 32, fill(32, 0x44)));
        byte[] p = new byte[512];
        for (int i = 0; i < 512; i++) p[i] = (byte) i;
        // vector 4: a 512-byte data unit; its first two blocks
        assertEquals("27a7479befa1d476489f308cd4cfa6e2a96e4bbe3208ff25287dd3819616e89c",
                xts("27182818284590452353602874713526", "31415926535897932384626433832795", 0, 512, p).substring(0, 64));
    }

    private String openssl(String cipher, byte[] key, byte[] iv, byte[] plain) throws IOException {
        Path in = tmp.resolve("in"), out = tmp.resolve("out");
        Files.write(in, plain);
        Sh.run("openssl", "enc", "-" + cipher, "-nopad", "-K", HEX.formatHex(key), "-iv", HEX.formatHex(iv), "-in", in.toString(),
                "-out", out.toString());
        return HEX.formatHex(Files.readAllBytes(out));
    }

    /** OpenSSL's XTS through Python's cryptography package (openssl enc refuses XTS). */
    private String opensslXts(byte[] key, long firstUnit, int unitBytes, byte[] plain) throws IOException {
        Path in = tmp.resolve("in");
        Files.write(in, plain);
        String py = "import sys\n"
                + "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
                + "k=bytes.fromhex(sys.argv[1]); first=int(sys.argv[2]); n=int(sys.argv[3]); d=open(sys.argv[4],'rb').read(); out=b''\n"
                + "for s in range(len(d)//n):\n"
                + "  e=Cipher(algorithms.AES(k), modes.XTS((first+s).to_bytes(16,'little'))).encryptor()\n"
                + "  out+=e.update(d[s*n:(s+1)*n])+e.finalize()\n"
                + "print(out.hex())\n";
        return Sh.run("python3", "-c", py, HEX.formatHex(key), Long.toString(firstUnit), Integer.toString(unitBytes), in.toString()).trim();
    }

    @Test
    void xtsAgreesWithOpenssl() throws IOException {
        Need.tools("python3");
        boolean crypto = Sh.exec(null, "python3", "-c", "import cryptography").exit() == 0;
        if (!crypto) System.out.println("SKIP: needs python3-cryptography (installed by scripts/test)");
        org.junit.jupiter.api.Assumptions.assumeTrue(crypto, "python3-cryptography");
        Random r = new Random(21);
        for (int keyBytes : new int[] {32, 64}) {
            for (int sector : new int[] {512, 4096}) {
                byte[] key = new byte[keyBytes], plain = new byte[3 * sector];
                r.nextBytes(key);
                r.nextBytes(plain);
                long first = 1_000_003L;
                byte[] b = plain.clone();
                new XtsSectors(key, sector).encrypt(first * sector, b, 0, b.length);
                assertEquals(opensslXts(key, first, sector, plain), HEX.formatHex(b), keyBytes + "-byte key, " + sector + "-byte sectors");
                new XtsSectors(key, sector).decrypt(first * sector, b, 0, b.length);
                assertArrayEquals(plain, b);
            }
        }
    }

    @Test
    void cbcWithEncryptedOffsetIvsAgreesWithOpenssl() throws IOException {
        Need.tools("openssl");
        Random r = new Random(7);
        for (int keyBytes : new int[] {16, 32}) {
            int sector = 512;
            byte[] key = new byte[keyBytes], plain = new byte[2 * sector];
            r.nextBytes(key);
            r.nextBytes(plain);
            long at = 0x2195000L;
            String aes = keyBytes == 16 ? "aes-128" : "aes-256";
            StringBuilder want = new StringBuilder();
            for (int s = 0; s < 2; s++) {
                byte[] offset = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(at + (long) s * sector).array();
                byte[] iv = HEX.parseHex(openssl(aes + "-ecb", key, new byte[0], offset).substring(0, 32));
                want.append(openssl(aes + "-cbc", key, iv, java.util.Arrays.copyOfRange(plain, s * sector, (s + 1) * sector)));
            }
            byte[] b = plain.clone();
            CbcSectors c = new CbcSectors(key, null, sector);
            c.encrypt(at, b, 0, b.length);
            assertEquals(want.toString(), HEX.formatHex(b));
            c.decrypt(at, b, 0, b.length);
            assertArrayEquals(plain, b);
        }
    }

    @Test
    void elephantDecryptUndoesEncrypt() {
        Random r = new Random(5);
        for (int sector : new int[] {512, 4096}) {
            int[] d = r.ints(sector / 4).toArray(), orig = d.clone();
            ElephantDiffuser.aEncrypt(d);
            ElephantDiffuser.bEncrypt(d);
            ElephantDiffuser.bDecrypt(d);
            ElephantDiffuser.aDecrypt(d);
            assertArrayEquals(orig, d);
            byte[] key = new byte[16], tweak = new byte[16], plain = new byte[2 * sector];
            r.nextBytes(key);
            r.nextBytes(tweak);
            r.nextBytes(plain);
            byte[] b = plain.clone();
            CbcSectors c = new CbcSectors(key, tweak, sector);
            c.encrypt(8L * sector, b, 0, b.length);
            c.decrypt(8L * sector, b, 0, b.length);
            assertArrayEquals(plain, b);
        }
    }

    @Test
    void recoveryPasswordsAreCheckedGroupByGroup() {
        // from the corpus answer key: 042647 = 11 x 3877 (0x0f25)
        byte[] k = RecoveryPassword.key("042647-302313-590458-071500-554323-116567-412181-516978");
        assertEquals(0x25, k[0] & 0xff);
        assertEquals(0x0f, k[1] & 0xff);
        for (String bad : new String[] {"042647-302313", "04264-7302313-590458-071500-554323-116567-412181-516978",
                "042648-302313-590458-071500-554323-116567-412181-516978", "720896-302313-590458-071500-554323-116567-412181-516978",
                "04264a-302313-590458-071500-554323-116567-412181-516978"}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> RecoveryPassword.key(bad), bad);
        }
    }
}
