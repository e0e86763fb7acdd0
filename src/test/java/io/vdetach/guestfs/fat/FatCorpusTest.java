package io.vdetach.guestfs.fat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.GuestTree;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Third-party FAT images with facts asserted in shared/testdata/SOURCES.md. */
class FatCorpusTest {

    @Test
    void daylightFloppyFromWindowsXp() throws Exception {
        try (HostFile f = HostFile.open(Corpus.file("dftt/5-fat-daylight/daylight.dd"))) {
            assertThat(io.vdetach.guestfs.FilesystemProbe.probe(f)).isInstanceOf(io.vdetach.guestfs.Probed.Readable.class);
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            assertThat(fs.fatType()).isEqualTo("FAT12");
            Node winter = child(fs, fs.node(fs.rootId()), "winter.txt");
            Node summer = child(fs, fs.node(fs.rootId()), "summer.txt");
            assertThat(md5(fs, winter)).isEqualTo("198cb7eda6ee5c35ef69af2a66489a8f");
            assertThat(md5(fs, summer)).isEqualTo("f559dda2f5610fdecc89d79a1248e2cd");
            // TSK: created 14:00:01 / 15:00:01, written 14:00:02 / 15:00:04 (local time stored as is)
            assertThat(winter.mtime()).isEqualTo(Instant.parse("2004-01-01T14:00:02Z"));
            assertThat(summer.mtime()).isEqualTo(Instant.parse("2004-06-01T15:00:04Z"));
            assertThat(summer.btime().getEpochSecond()).isEqualTo(Instant.parse("2004-06-01T15:00:01Z").getEpochSecond());
            assertThat(summer.atime()).isEqualTo(Instant.parse("2004-06-01T00:00:00Z"));
            // The same fields read in a zone with daylight saving: winter is -5 h, summer -4 h.
            FatFilesystem ny = FatFilesystem.open(f, ZoneId.of("America/New_York"), BlockCache.withDefaultBudget());
            assertThat(ny.node(winter.id()).mtime()).isEqualTo(Instant.parse("2004-01-01T19:00:02Z"));
            assertThat(ny.node(summer.id()).mtime()).isEqualTo(Instant.parse("2004-06-01T19:00:04Z"));
        }
    }

    @Test
    void rustFatfsFat16() throws Exception {
        try (HostFile f = HostFile.open(Corpus.file("rust-fatfs/fat16.img"))) {
            assertThat(io.vdetach.guestfs.FilesystemProbe.probe(f)).isInstanceOf(io.vdetach.guestfs.Probed.Readable.class);
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            assertThat(fs.fatType()).isEqualTo("FAT16");
            assertThat(fs.label()).isEqualTo("Test!");
            assertThat(fs.blockSize()).isEqualTo(512);
            var tree = GuestTree.walk(fs);
            assertThat(tree.keySet()).containsExactly(".", "long.txt", "short.txt", "very", "very-long-dir-name",
                    "very-long-dir-name/very-long-file-name.txt", "very/long", "very/long/path", "very/long/path/test.txt");
            Node root = fs.node(fs.rootId());
            Node longTxt = child(fs, root, "long.txt");
            assertThat(longTxt.size()).isEqualTo(14_000);
            assertThat(md5(fs, longTxt)).isEqualTo("545f7227891d59af15fe4bdb28e007b8");
            assertThat(md5(fs, child(fs, root, "short.txt"))).isEqualTo("580e22e68a7454a00bcc953565e520cd");
            String rustIsCool = sha256Of("Rust is cool!\n");
            assertThat(tree.get("very/long/path/test.txt").sha256()).isEqualTo(rustIsCool);
            assertThat(tree.get("very-long-dir-name/very-long-file-name.txt").sha256()).isEqualTo(rustIsCool);
        }
    }

    static Node child(FatFilesystem fs, Node dir, String name) throws Exception {
        for (DirEntry e : fs.list(dir)) {
            if (new String(e.name(), StandardCharsets.UTF_8).equals(name)) return fs.node(e.id());
        }
        throw new AssertionError("no " + name);
    }

    static String md5(FatFilesystem fs, Node n) throws Exception {
        var c = fs.content(n);
        ByteBuffer b = ByteBuffer.allocate((int) c.size());
        c.readFully(0, b);
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b.array()));
    }

    private static String sha256Of(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
