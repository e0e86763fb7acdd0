package io.vdetach.guestfs.fat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 9: mtools stores "café-nfc" as the 8.3 name "CAFÉ-NFC" (É is 0x90 in code page
 * 437) with the NT lower-case-base flag and no long name. The flag lower-cases through the code
 * page, as Linux's vfat does: extracted as "café-nfc" (mtools' own listing is the oracle), not
 * "cafÉ-nfc"; --fat-codepage reads the same byte in another code page (866: Р, lower-case р).
 */
class FatCodePageTest {
    @TempDir Path dir;

    @Test
    void lowerCaseFlagLowersNonAsciiLettersThroughTheCodePage() throws Exception {
        Need.tools("mkfs.fat", "mcopy", "mdir");
        Path img = dir.resolve("fat.img");
        Sh.run("mkfs.fat", "-C", img.toString(), "8192");
        Path src = dir.resolve("src");
        Files.writeString(src, "hi\n");
        Sh.run("mcopy", "-i", img.toString(), src.toString(), "::café-nfc");
        assertThat(Sh.run("mdir", "-i", img.toString(), "::")).contains("café-nfc");
        byte[] b = Files.readAllBytes(img);
        int at = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("CAF\u0090-NFC");
        assertThat(at).as("mtools' 8.3 entry").isPositive();
        assertThat(b[at + 12] & 0x08).as("NT lower-case base flag").isNotZero();

        Cli.Run r = Cli.run("extract", img.toString(), dir.resolve("out").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(dir.resolve("out/disk/café-nfc")).hasContent("hi\n");
        assertThat(dir.resolve("out/disk/cafÉ-nfc")).doesNotExist();

        Cli.Run cyr = Cli.run("ls", "--fat-codepage", "866", img.toString());
        assertThat(cyr.exit()).isZero();
        assertThat(cyr.out()).contains("disk/caf\u0440-nfc");
        assertThat(Cli.run("ls", "--fat-codepage", "nope", img.toString()).exit()).isEqualTo(2);
    }
}
