package io.vdetach.image.ewf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.MissingFileException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.image.AcquisitionInfo;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.GuestDisk;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.ImageOracle;
import io.vdetach.testkit.Mutations;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Openers;
import io.vdetach.testkit.Sh;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * E01 sets made by ewfacquire (Debian ewf-tools) and by other projects (dfvfs's libewf-made
 * samples), read whole and compared with ewfexport's raw output and the source disk; stored
 * hashes and case data as ewfinfo shows them; damage, missing segments and read-error sectors.
 */
class EwfImageTest {
    @TempDir Path dir;

    static DiskImage open(Path p) throws Exception {
        return ImageOpener.open(p, OpenOptions.DEFAULT);
    }

    static String digest(Layer l, String algorithm) throws Exception {
        MessageDigest md = MessageDigest.getInstance(algorithm);
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        for (long pos = 0; pos < l.size(); ) {
            b.clear().limit((int) Math.min(b.capacity(), l.size() - pos));
            l.readFully(pos, b);
            md.update(b.flip());
            pos += b.limit();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** dfvfs's ext2.E01 (deflate best) and ext2.split.E01/E02 (no compression): SOURCES.md's asserted MD5 and files. */
    @ParameterizedTest
    @CsvSource({"dfvfs/ext2.E01, 1", "dfvfs/ext2.split.E01, 2"})
    void dfvfsSamplesMadeByLibewf(String sample, int segments) throws Exception {
        Path e01 = Corpus.file(sample);
        try (DiskImage d = open(e01)) {
            assertThat(d.format()).isEqualTo("ewf");
            assertThat(d.size()).isEqualTo(4_194_304);
            assertThat(d.ownFiles()).hasSize(segments);
            AcquisitionInfo a = d.acquisition().orElseThrow();
            assertThat(a.storedHashes()).containsEntry("MD5", "196066add11fb71c4c49cf1bb50d6d24");
            assertThat(digest(d, "MD5")).isEqualTo("196066add11fb71c4c49cf1bb50d6d24");
            assertThat(a.caseData()).containsEntry("case number", "case").containsEntry("examiner", "examiner")
                    .containsEntry("acquisition software version", "20140812");
            assertThat(a.readErrors()).isEmpty();
        }
        Path out = dir.resolve("out");
        Cli.Run x = Cli.run("extract", "--no-progress", e01.toString(), out.toString());
        assertThat(x.exit()).as(x.out() + x.err()).isZero();
        assertThat(ImageCheck.sha256(out.resolve("disk/passwords.txt"))).as("SOURCES.md: passwords.txt")
                .isEqualTo("02a2a6af2f1ecf4720d7d49d640f0d0a269a7ec733e41973bdd34f09dad0e252");
        assertThat(ImageCheck.sha256(out.resolve("disk/a_directory/a_file"))).as("SOURCES.md: a_file")
                .isEqualTo("4a49638d0e1055fd9e4c17fef7fdf4d6ccf892b6d9c2f64164203c4bfb0ec92d");
    }

    /** The GPT + ext4 guest disk acquired with each compression and chunk size, in at least three segments. */
    @ParameterizedTest(name = "{0}, {1} sectors per chunk")
    @CsvSource({"none, 64, 8MiB", "none, 32, 8MiB", "deflate:fast, 64, 2MiB", "deflate:fast, 32, 2MiB", "deflate:best, 64, 1MiB",
            "deflate:best, 32, 1MiB"})
    void ewfacquireSetsReadAsEwfexportDoes(String compression, int chunk, String segment) throws Exception {
        Path raw = GuestDisk.raw();
        Path e01 = EwfFixture.acquire(raw, dir, "disk", compression, chunk, segment);
        assertThat(EwfFixture.segments(e01)).as("segments").isGreaterThanOrEqualTo(3);
        Path exported = EwfFixture.export(e01, dir.resolve("exported"));
        assertThat(ImageCheck.sha256(exported)).as("ewfexport gives the source disk").isEqualTo(ImageCheck.sha256(raw));
        try (DiskImage d = open(e01)) {
            ImageOracle.Share share = ImageOracle.assertSameAsRaw(d, exported);
            System.out.printf("SHARE ewf %s, %d sectors per chunk: %d of %d mapped bytes 4 KiB-aligned (%.4f), %d runs%n",
                    compression, chunk, share.alignedBytes(), share.mappedBytes(), share.ratio(), share.runs());
            if (!compression.equals("none")) assertThat(d.map(0, d.size())).anyMatch(r -> r instanceof Run.Materialise);
            AcquisitionInfo a = d.acquisition().orElseThrow();
            assertThat(a.storedHashes()).containsEntry("MD5", digest(d, "MD5")).containsEntry("SHA-1", digest(d, "SHA-1"));
            assertThat(a.caseData()).containsEntry("case number", "case-7").containsEntry("evidence number", "ev-1")
                    .containsEntry("description", "disk of the suspect").containsEntry("examiner", "examiner Ann")
                    .containsEntry("notes", "notes here").containsKey("acquisition date");
        }
        Path dumped = dir.resolve("dump.raw");
        Cli.Run r = Cli.run("dump", e01.toString(), dumped.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(ImageCheck.sha256(dumped)).as("vdetach dump = ewfexport").isEqualTo(ImageCheck.sha256(exported));
    }

    @Test
    void everyFormatEwfacquireWrites() throws Exception {
        Path raw = Mutations.smallRaw(dir);
        String want = ImageCheck.sha256(raw);
        for (String f : new String[] {"ewf", "smart", "ftk", "encase2", "encase4", "encase5", "encase6", "encase7", "linen5",
                "linen6", "ewfx"}) {
            Path sub = Files.createDirectories(dir.resolve(f));
            Path first = EwfFixture.acquire(raw, sub, "x", "deflate:fast", 64, "1MiB", "-f", f);
            if (f.equals("smart")) first = sub.resolve("x.s01");
            try (DiskImage d = open(first)) {
                assertThat(ImageCheck.sha256(d)).as(f).isEqualTo(want);
                assertThat(d.acquisition().orElseThrow().storedHashes()).as(f).containsEntry("MD5", digest(d, "MD5"));
            }
        }
    }

    @Test
    void aMissingSegmentIsNamed() throws Exception {
        Path e01 = EwfFixture.acquire(Mutations.smallRaw(dir), dir, "gap", "none", 64, "1MiB");
        assertThat(EwfFixture.segments(e01)).isGreaterThanOrEqualTo(3);
        Files.delete(dir.resolve("gap.E02"));
        assertThatThrownBy(() -> open(e01)).isInstanceOfSatisfying(MissingFileException.class, e -> {
            assertThat(e.getMessage()).contains("gap.E02").contains("next section of segment gap.E01");
            assertThat(e.offset()).isEqualTo(EwfFixture.section(uncheckedRead(e01), "next"));
        });
        Cli.Run r = Cli.run("ls", e01.toString());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("gap.E02");
    }

    static byte[] read(Path p) throws Exception {
        return Files.readAllBytes(p);
    }

    static byte[] uncheckedRead(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSegmentOtherThanTheFirstIsAUsageError() throws Exception {
        Path e01 = EwfFixture.acquire(Mutations.smallRaw(dir), dir, "two", "none", 64, "1MiB");
        Cli.Run r = Cli.run("ls", e01.resolveSibling("two.E02").toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("segment 2").contains(".E01");
    }

    @Test
    void ewf2AndLogicalEvidenceAreUnsupported() throws Exception {
        Path e01 = EwfFixture.acquire(Mutations.smallRaw(dir), dir, "one", "none", 64, "8MiB");
        byte[] b = read(e01);
        System.arraycopy("EVF2\r\n\u0081\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, b, 0, 8);
        Path ex01 = dir.resolve("x.Ex01");
        Files.write(ex01, b);
        assertThatThrownBy(() -> open(ex01)).isInstanceOf(UnsupportedImageException.class).hasMessageContaining("EWF2 (Ex01");
        Cli.Run r = Cli.run("ls", ex01.toString());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("EWF2 (Ex01").contains("not supported");
    }

    /**
     * An error2 section (acquisition read errors) as libyal describes it, placed before "done":
     * ewfinfo lists the range, and vdetach maps those sectors as materialised runs whose read
     * fails naming them, while the stored media (what the acquirer hashed) still reads.
     */
    @Test
    void readErrorSectorsAreNeverSilentZeros() throws Exception {
        Path raw = Mutations.smallRaw(dir);
        Path e01 = EwfFixture.acquire(raw, dir, "err", "deflate:fast", 64, "8MiB");
        EwfFixture.addError2(e01, 2048, 64);
        Need.tools("ewfinfo");
        String info = Sh.run("ewfinfo", e01.toString());
        assertThat(info).contains("2048 - 2111");
        try (DiskImage d = open(e01)) {
            assertThat(d.warnings()).anyMatch(w -> w.contains("sectors 2048-2111"));
            assertThat(d.map(2048 * 512L, 64 * 512L)).singleElement()
                    .isInstanceOfSatisfying(Run.Materialise.class, m -> assertThat(m.reason()).contains("error2"));
            assertThatThrownBy(() -> d.readBytes(2047 * 512L, 1024)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("sectors 2048-2111");
            assertThat(d.readBytes(0, 4096)).isEqualTo(HostFile.open(raw).readBytes(0, 4096));
            AcquisitionInfo a = d.acquisition().orElseThrow();
            assertThat(a.readErrors()).containsExactly("2048-2111 (64 sectors)");
            assertThat(digest(a.media(), "MD5")).isEqualTo(a.storedHashes().get("MD5"));
        }
    }

    @Test
    void storedChunkDamageIsCaughtByItsChecksum() throws Exception {
        Path e01 = EwfFixture.acquire(Mutations.smallRaw(dir), dir, "flip", "none", 64, "8MiB");
        byte[] b = read(e01);
        long sectors = EwfFixture.section(b, "sectors");
        long at = sectors + 76 + 100;
        b[(int) at] ^= 1;
        Files.write(e01, b);
        try (DiskImage d = open(e01)) {
            assertThatThrownBy(() -> d.readBytes(0, 512)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("chunk 0 fails its Adler-32");
        }
    }

    @Test
    void hostileNumbersAreRefused() throws Exception {
        Path e01 = EwfFixture.acquire(Mutations.smallRaw(dir), dir, "h", "deflate:fast", 64, "8MiB");
        byte[] good = read(e01);
        // a section naming itself as the next one
        byte[] loop = good.clone();
        long vol = EwfFixture.section(loop, "volume");
        System.arraycopy(EwfFixture.descriptor("volume", vol, 1128), 0, loop, (int) vol, 76);
        Files.write(e01, loop);
        assertThatThrownBy(() -> open(e01)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("not a later one").satisfies(e -> assertThat(((CorruptImageException) e).offset()).isEqualTo(vol + 16));
        // 2^31 sectors per chunk
        byte[] chunk = good.clone();
        ByteBuffer v = ByteBuffer.wrap(chunk).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int body = (int) vol + 76;
        v.putInt(body + 8, 1 << 31);
        v.putInt(body + 1048, EwfFixture.adler(chunk, body, 1048));
        Files.write(e01, chunk);
        assertThatThrownBy(() -> open(e01)).isInstanceOf(CorruptImageException.class).hasMessageContaining("sectors per chunk");
        // a table claiming 2^32-1 entries
        byte[] table = good.clone();
        ByteBuffer t = ByteBuffer.wrap(table).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int th = (int) EwfFixture.section(table, "table") + 76;
        t.putInt(th, -1);
        t.putInt(th + 20, EwfFixture.adler(table, th, 20));
        Files.write(e01, table);
        try (DiskImage d = open(e01)) { // its copy table2 is used, and the damage reported
            assertThat(d.warnings()).anyMatch(w -> w.contains("table2"));
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(dir.resolve("small.raw")));
        }
        int th2 = (int) EwfFixture.section(table, "table2") + 76;
        t.putInt(th2, -1);
        t.putInt(th2 + 20, EwfFixture.adler(table, th2, 20));
        Files.write(e01, table);
        assertThatThrownBy(() -> open(e01)).isInstanceOf(CorruptImageException.class).hasMessageContaining("entries")
                .satisfies(e -> assertThat(((CorruptImageException) e).offset()).isEqualTo(th2));
    }

    /** Seeded random damage to the sections of a real E01: only named corruption, never another throwable. */
    @Test
    void randomDamage() throws Exception {
        Path e01 = EwfFixture.acquire(Mutations.smallRaw(dir), dir, "m", "deflate:fast", 64, "8MiB");
        byte[] b = read(e01);
        long sectors = EwfFixture.section(b, "sectors");
        long table = EwfFixture.section(b, "table");
        long[][] regions = {{0, sectors + 76}, {sectors + 76, 200_000}, {table, b.length - table}};
        int rejected = Mutations.run(e01, regions, 300, 15, f -> EwfImage.open(f, Openers.forDirectory(dir)));
        System.out.println("EWF mutants rejected as corrupt or unsupported: " + rejected + " of 300");
        assertThat(rejected).isPositive();
    }
}
