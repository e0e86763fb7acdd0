package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.ManifestFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --deleted end to end on DFTT test 7 (answer key: testdata/SOURCES.md): the recovered files land
 * under DEST/disk/$Deleted and $Orphan with the key's MD5s, the live tree is untouched, the report
 * counts them apart, the manifest marks them, ls and the bodyfile say "(deleted)"; on XFS the
 * option is a warning, not an error.
 */
class DeletedExtractTest {
    @TempDir Path dir;

    private static final Map<String, String> KEY = Map.of(
            "disk/$Deleted/res1.dat", "9036637712b491904cd0bfbdbe648453",
            "disk/$Deleted/sing1.dat", "59b20779f69ff9f0ac5fcd2c38835a79",
            "disk/$Deleted/mult1.dat", "ffd27bd782bdce67750b6b9ee069d2ef",
            "disk/$Deleted/frag1.dat", "7a3bc5b763bef201202108f4ba128149",
            "disk/$Deleted/frag2.dat", "0e80ab84ef0087e60dfc67b88a1cf13e",
            "disk/$Deleted/dir1/mult2.dat", "59cf0e9cd107bc1e75afb7374f6e05bb",
            "disk/$Deleted/dir1/dir2/frag3.dat", "21121699487f3fbbdb9a4b3391b6d3e0",
            "disk/$Orphan/38-sing2.dat", "c229626f6a71b167ad7e50c4f2fccdb1",
            "disk/System Volume Information/tracking.log", "tracking");

    private static Path image() {
        return Corpus.file("dftt/7-undel-ntfs/7-ntfs-undel.dd");
    }

    @Test
    void extractDeletedIntoTheirOwnTree() throws Exception {
        Path dest = dir.resolve("out");
        Path manifest = dir.resolve("m.jsonl");
        Cli.Run r = Cli.run("extract", "--deleted", "--json", "--no-progress", "--manifest", manifest.toString(), "--hash", "md5",
                image().toString(), dest.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, String> got = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dest)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) got.put(dest.relativize(p).toString(), md5(Files.readAllBytes(p)));
        }
        Map<String, String> want = new TreeMap<>(KEY);
        want.put("disk/System Volume Information/tracking.log", got.get("disk/System Volume Information/tracking.log"));
        assertThat(got).isEqualTo(want);
        // mult1.dat:ADS (1234 bytes) as the recovered file's xattr, as live streams are
        UserDefinedFileAttributeView x = Files.getFileAttributeView(dest.resolve("disk/$Deleted/mult1.dat"), UserDefinedFileAttributeView.class);
        ByteBuffer ads = ByteBuffer.allocate(x.size("ADS"));
        x.read("ADS", ads);
        assertThat(md5(ads.array())).isEqualTo("ba1b9eedb1c091ddca253d35dde8f616");
        // the report: the live tree's counts without them, the recovered ones apart
        assertThat(r.out()).containsPattern("(?s)^\\{\\s*\"files\": 1,").containsPattern("\"recovered\": \\{\\s*\"files\": 8,");
        // the manifest: every line below $Deleted/$Orphan says so; recovered entries say how
        List<ManifestFile.Line> lines = ManifestFile.read(manifest).stream().filter(ManifestFile.Line::isEntry).toList();
        Map<String, ManifestFile.Line> byPath = lines.stream().collect(Collectors.toMap(l -> l.str("guest_path"), l -> l));
        ManifestFile.Line res1 = byPath.get("disk/$Deleted/res1.dat");
        assertThat(res1.fields()).containsEntry("deleted", true).containsEntry("recovery", "metadata intact")
                .containsEntry("md5", "9036637712b491904cd0bfbdbe648453");
        assertThat(res1.str("inode")).startsWith("37-");
        assertThat(byPath.get("disk/$Deleted").fields()).containsEntry("deleted", true).doesNotContainKey("recovery");
        assertThat(byPath.get("disk/System Volume Information/tracking.log").fields()).doesNotContainKey("deleted");
        // verify --deleted compares the whole of DEST, the volume root's times too (restored after $Deleted went in)
        Cli.Run v = Cli.run("verify", "--deleted", image().toString(), dest.toString());
        assertThat(v.exit()).as(v.out() + v.err()).isZero();
        assertThat(v.out()).contains("all equal");
    }

    @Test
    void lsMarksThemDeletedAndTheBodyfileToo() throws Exception {
        Cli.Run r = Cli.run("ls", "--deleted", image().toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("disk/$Deleted/dir1/dir2/frag3.dat  (deleted) metadata intact")
                .contains("disk/$Orphan/38-sing2.dat  (deleted)")
                .doesNotContainPattern("tracking\\.log  \\(deleted\\)");
        Cli.Run plain = Cli.run("ls", image().toString());
        assertThat(plain.out()).doesNotContain("$Deleted");
        Path body = dir.resolve("body");
        Cli.Run b = Cli.run("ls", "--deleted", "--bodyfile", body.toString(), image().toString());
        assertThat(b.exit()).as(b.err()).isZero();
        assertThat(Files.readString(body)).contains("|disk/$Deleted/res1.dat (deleted)|37-");
    }

    @Test
    void planCountsThemApart() {
        Cli.Run r = Cli.run("plan", "--deleted", "--json", image().toString(), dir.resolve("p").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("\"recovered\": \\{\\s*\"files\": 8,");
        assertThat(Files.exists(dir.resolve("p"))).isFalse();
    }

    @Test
    void xfsSaysNotSupportedAsAWarning() {
        Cli.Run r = Cli.run("ls", "--deleted", Corpus.file("dissect.xfs/xfs.bin").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("warning: disk: --deleted: not supported for xfs");
        assertThat(r.out()).doesNotContain("$Deleted");
    }

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }
}
