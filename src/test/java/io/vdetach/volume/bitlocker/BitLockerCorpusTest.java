package io.vdetach.volume.bitlocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against cryptsetup's Windows-made BITLK images and their answer key: every
 * volume with a SHA256SUM, dumped decrypted with each secret it has, hashes to it (cryptsetup's
 * dm-crypt view; bdemount agreed on four of them, SOURCES.md section 10).
 */
class BitLockerCorpusTest {
    @TempDir static Path tmp;
    static BitlkCorpus corpus;
    static Path out;

    @BeforeAll
    static void unpack() throws IOException {
        corpus = BitlkCorpus.unpack(tmp);
        out = BitlkCorpus.scratch(tmp);
    }

    @AfterAll
    static void clean() throws IOException {
        if (out != null && !out.startsWith(tmp)) Sh.run("rm", "-rf", out.toString());
    }

    /** Dumps the volume decrypted with {@code secret} (option and value, or nothing) and returns its SHA-256. */
    private static String dumpHash(String image, String... secret) throws IOException {
        Path o = out.resolve(image + "-" + Math.abs(String.join(" ", secret).hashCode()) + ".raw");
        List<String> args = new ArrayList<>(List.of("dump", "--volume", "disk"));
        args.addAll(List.of(secret));
        args.add(corpus.image(image).toString());
        args.add(o.toString());
        Cli.Run r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), image + " " + secret.length + ": " + r.err());
        String h = Sh.run("sha256sum", o.toString()).substring(0, 64);
        Files.delete(o);
        return h;
    }

    @Test
    void everyVolumeWithAChecksumDecryptsToItWithEachOfItsSecrets() throws IOException {
        int dumps = 0;
        for (var e : corpus.conf().entrySet()) {
            Map<String, String> c = e.getValue();
            String want = c.get("SHA256SUM");
            if (want == null || want.isEmpty()) continue;
            List<String[]> secrets = new ArrayList<>();
            if (!c.getOrDefault("PW", "").isEmpty()) secrets.add(new String[] {"--password", c.get("PW")});
            for (String rp : List.of("RP", "RP2")) {
                if (!c.getOrDefault(rp, "").isEmpty()) secrets.add(new String[] {"--recovery-password", c.get(rp)});
            }
            if (c.containsKey("SK_VMK_GUID")) secrets.add(new String[] {"--key-file", corpus.bek(c.get("SK_VMK_GUID")).toString()});
            if (c.containsKey("CLEARKEY_VMK_GUID")) secrets.add(new String[0]);
            assertFalse(secrets.isEmpty(), e.getKey());
            for (String[] s : secrets) {
                assertEquals(want, dumpHash(e.getKey(), s), e.getKey() + " with " + (s.length == 0 ? "no secret" : s[0]));
                dumps++;
            }
        }
        assertEquals(37, dumps, "every answer-key secret tried");
    }

    @Test
    void aPasswordFileHoldsTheUnicodePassword() throws IOException {
        Path pw = tmp.resolve("pw.txt");
        Files.writeString(pw, "anaconda£\n", java.nio.charset.StandardCharsets.UTF_8);
        String want = corpus.conf().get("bitlk-aes-xts-128-unicode").get("SHA256SUM");
        assertEquals(want, dumpHash("bitlk-aes-xts-128-unicode", "--password-file", pw.toString()));
    }

    @Test
    void lsNamesEveryVolumeItsProtectorsAndSkipsItLocked() {
        for (var e : corpus.conf().entrySet()) {
            Map<String, String> c = e.getValue();
            Cli.Run r = Cli.run("ls", "--volumes-only", corpus.image(e.getKey()).toString());
            // an Encrypt-on-Write conversion is recognised but not read: an error of that volume, so ls exits
            // as extract would (3: nothing else to read); every other one is listed with exit 0
            boolean refused = e.getKey().contains("partially"); // the one EOW volume a clear key opens
            assertEquals(refused ? 3 : 0, r.exit(), e.getKey() + ": " + r.err());
            assertTrue(r.out().contains("BitLocker "), r.out());
            assertTrue(r.out().contains(c.get("GUID")), e.getKey() + " GUID: " + r.out());
            for (var k : c.entrySet()) {
                if (k.getKey().endsWith("VMK_GUID") && !k.getValue().isEmpty()) {
                    assertTrue(r.out().contains(k.getValue()), e.getKey() + " " + k.getKey() + ": " + r.out());
                }
            }
            // locked without a secret; a clear key (protection suspended) opens it; the partially encrypted one
            // holds a clear key too, and is named as not supported
            String state = c.containsKey("CLEARKEY_VMK_GUID") ? "unlocked by clear key " + c.get("CLEARKEY_VMK_GUID")
                    : e.getKey().contains("partially") ? "Encrypt-on-Write (used space only) conversion" : "; locked (give --password";
            assertTrue(r.out().contains(state), e.getKey() + " " + state + ": " + r.out());
        }
        Cli.Run r = Cli.run("ls", "--json", "--volumes-only", corpus.image("bitlk-aes-xts-128").toString());
        String json = r.out().replaceAll("\\s*\\n\\s*", "").replace("\": ", "\":"); // compact, however it is indented
        assertTrue(json.contains("\"encryption\":\"AES-XTS 128-bit\""), json);
        assertTrue(json.contains("\"description\":\"DESKTOP-NPM7RCA H: 7/4/2019\""), json);
        assertTrue(json.contains("\"created\":\"2019-07-04 07:01:55 UTC\""), json);
        assertTrue(json.contains("{\"type\":\"recovery password\",\"guid\":\"64311dea-4587-4029-924a-ba299647998e\"}")
                || json.contains("{\"guid\":\"64311dea-4587-4029-924a-ba299647998e\",\"type\":\"recovery password\"}"), json);
    }

    @Test
    void extractSkipsALockedVolumeWithAWarning() throws IOException {
        Path dest = tmp.resolve("locked-out");
        Cli.Run r = Cli.run("extract", corpus.image("bitlk-aes-xts-128").toString(), dest.toString());
        assertEquals(0, r.exit(), r.err());
        // the report prints its warnings (ReportView decides the stream)
        assertTrue((r.out() + r.err()).contains("BitLocker volume 8f595209-f5b9-49a0-85d4-cb8f80258c27 is locked"), r.out() + r.err());
        try (var s = Files.list(dest)) {
            assertEquals(0, s.count(), "nothing written for a locked volume");
        }
    }

    @Test
    void aWrongPasswordOrRecoveryPasswordIsExit3AndWritesNothing() {
        String img = corpus.image("bitlk-aes-xts-128").toString();
        Path o = out.resolve("wrong.raw");
        Cli.Run r = Cli.run("dump", "--volume", "disk", "--password", "anaconda2", img, o.toString());
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("no key protector accepts the given password"), r.err());
        assertFalse(Files.exists(o));
        // well formed (each group a multiple of 11), but another volume's
        String otherRp = corpus.conf().get("bitlk-aes-cbc-128").get("RP");
        r = Cli.run("dump", "--volume", "disk", "--recovery-password", otherRp, img, o.toString());
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("no key protector accepts the given recovery password"), r.err());
        assertFalse(Files.exists(o));
        Path dest = tmp.resolve("wrong-dest");
        r = Cli.run("extract", "--password", "nope", img, dest.toString());
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("no key protector accepts the given password"), r.err());
        assertFalse(Files.exists(dest), "extract wrote nothing");
        // a malformed recovery password is a usage error that says what is wrong
        r = Cli.run("ls", "--recovery-password", "123456-123456", img);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("8 groups of 6 digits"), r.err());
    }

    @Test
    void encryptOnWriteAndPartiallyEncryptedVolumesAreRefusedByName() {
        // bdemount (libbde 20190102) refuses both too ("unsupported identifier"); never ciphertext as data
        for (String name : List.of("bitlk-aes-xts-128-eow", "bitlk-partially-encrypted-aes-cbc-128")) {
            Path o = out.resolve(name + ".raw");
            Cli.Run r = Cli.run("dump", "--volume", "disk", "--password", "anaconda", corpus.image(name).toString(), o.toString());
            assertEquals(3, r.exit(), name + ": " + r.err());
            assertTrue(r.err().contains("Encrypt-on-Write") && r.err().contains("not supported"), r.err());
            assertFalse(Files.exists(o));
            // the partially encrypted one holds a clear key: even without a secret it is refused, not decrypted
            r = Cli.run("dump", "--volume", "disk", corpus.image(name).toString(), o.toString());
            assertEquals(3, r.exit(), name + ": " + r.err());
            assertFalse(Files.exists(o));
        }
    }

    @Test
    void aDamagedMetadataCopyIsPassedOver() throws IOException {
        try (var f = io.vdetach.extent.HostFile.open(corpus.image("bitlk-aes-xts-128-crc"))) {
            VolumeHeader h = VolumeHeader.parse(f.readBytes(0, 512));
            for (int i = 0; i < 2; i++) {
                long at = h.metadataOffsets()[i];
                var e = org.junit.jupiter.api.Assertions.assertThrows(io.vdetach.error.CorruptImageException.class,
                        () -> FveMetadata.read(f, at));
                assertTrue(e.getMessage().contains("CRC-32"), e.getMessage());
            }
            assertEquals(h.metadataOffsets()[2], FveMetadata.readValid(f, h.metadataOffsets()).offset());
        }
    }
}
