package io.vdetach.guestfs.ext;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.Recovered;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --deleted on ext2/ext4. Oracles: the dfvfs corpus image's deleted names (testdata/SOURCES.md),
 * Sleuth Kit's {@code fls -rd} (the same names and orphans), {@code tsk_recover} (every file it
 * recovers, with equal content) and {@code icat} (each recovered inode's data).
 */
class ExtDeletedTest {
    @TempDir Path dir;

    /** An ext2 image made in 2012 whose deleted names survive in slack with their inode numbers wiped. */
    @Test
    void dfvfsDeletedNamesAreListedByNameOnly() {
        Cli.Run r = Cli.run("ls", "--deleted", Corpus.file("dfvfs/image.qcow2").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("disk/$Deleted/a_directory/.another_file.swp  (deleted) names only")
                .contains("disk/$Deleted/a_directory/another_file~  (deleted) names only")
                .contains("disk/$Deleted/passwords.txt~  (deleted) names only")
                .contains("disk/$Orphan/13  (deleted) names only"); // fls: $OrphanFiles/OrphanFile-13
    }

    /** ext2 deleted by e2fsprogs (debugfs rm): names, inodes and block pointers survive. */
    @Test
    void ext2DeletedByDebugfsAgainstSleuthKit() throws Exception {
        Need.tools("mke2fs", "debugfs", "fls", "icat", "tsk_recover");
        Path big = dir.resolve("big"), mid = dir.resolve("mid"), small = dir.resolve("small");
        Sh.bash("head -c 30000 /dev/urandom > " + big + "; head -c 5000 /dev/urandom > " + mid + "; printf hello > " + small);
        Path img = dir.resolve("e2.img");
        Sh.run("truncate", "-s", "8M", img.toString());
        Sh.run("mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", img.toString());
        Path cmds = dir.resolve("cmds");
        Files.writeString(cmds, String.join("\n", "mkdir d", "write " + big + " big", "write " + small + " small",
                "write " + mid + " d/mid", "write " + small + " d/keep", "mkdir d/sub", "write " + mid + " d/sub/x",
                "rm big", "rm d/mid", "rm d/sub/x", ""));
        Sh.run("debugfs", "-w", "-f", cmds.toString(), img.toString());
        try (HostFile f = HostFile.open(img); ExtFilesystem fs = ExtFilesystem.open(f)) {
            Map<String, Recovered> ours = recovered(fs);
            assertThat(ours).containsKeys("$Deleted/big", "$Deleted/d/mid", "$Deleted/d/sub/x");
            compareWithSleuthKit(img, ours);
            assertThat(md5(ours.get("$Deleted/big").content())).isEqualTo(md5(Files.readAllBytes(big)));
            for (Recovered r : ours.values()) assertThat(r.recovery()).isEqualTo(Recovered.Recovery.METADATA_INTACT);
        }
    }

    /** ext4 deleted by the kernel: the names are wiped and the extent trees cleared: orphans, names only, no content. */
    @Test
    void ext4DeletedByTheKernelGivesOrphansWithoutContent() throws Exception {
        Need.root();
        Need.tools("mkfs.ext4", "fls", "icat", "tsk_recover");
        Path img = dir.resolve("e4.img");
        Sh.run("truncate", "-s", "16M", img.toString());
        Sh.run("mkfs.ext4", "-q", "-F", img.toString());
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ext4", "")) {
            Sh.exec(m.path(), "bash", "-euc", "head -c 30000 /dev/urandom > big; mkdir d; printf hi > d/small;"
                    + " head -c 9000 /dev/urandom > d/mid; printf keep > keep; sync; rm big d/mid; rm -r d");
        }
        try (HostFile f = HostFile.open(img); ExtFilesystem fs = ExtFilesystem.open(f)) {
            Map<String, Recovered> ours = recovered(fs);
            assertThat(ours).isNotEmpty();
            for (Recovered r : ours.values()) {
                assertThat(r.place()).isEqualTo(Recovered.Place.ORPHAN);
                assertThat(r.content()).isNull();
                if (!r.node().isDirectory()) assertThat(r.recovery()).isEqualTo(Recovered.Recovery.NAMES_ONLY);
            }
            compareWithSleuthKit(img, ours);
        }
    }

    /** fls -rd lists the same entries; every file tsk_recover writes we recover with equal content; icat agrees per inode. */
    private void compareWithSleuthKit(Path img, Map<String, Recovered> ours) throws Exception {
        TreeSet<String> fls = new TreeSet<>();
        for (String line : Sh.run("fls", "-rdp", img.toString()).split("\n")) {
            if (line.isBlank() || line.contains("(realloc)")) continue;
            fls.add(line.substring(line.indexOf('\t') + 1).replaceFirst("^\\$OrphanFiles/OrphanFile-", "\\$Orphan/")
                    .replaceFirst("^(?!\\$Orphan/)", "\\$Deleted/"));
        }
        assertThat(new TreeSet<>(ours.keySet())).isEqualTo(fls);
        Path rec = dir.resolve("rec-" + img.getFileName());
        Sh.run("tsk_recover", img.toString(), rec.toString());
        if (Files.isDirectory(rec)) {
            try (Stream<Path> s = Files.walk(rec)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    Recovered r = ours.get("$Deleted/" + rec.relativize(p));
                    assertThat(r).as("tsk_recover's " + rec.relativize(p)).isNotNull();
                    assertThat(md5(r.content())).isEqualTo(md5(Files.readAllBytes(p)));
                }
            }
        }
        for (Recovered r : ours.values()) {
            if (r.content() == null || r.node().id() == 0) continue;
            String icat = Sh.run("bash", "-c", "icat " + img + " " + r.node().id() + " | md5sum | cut -c1-32").trim();
            assertThat(md5(r.content())).as("icat " + r.node().id()).isEqualTo(icat);
        }
    }

    private static Map<String, Recovered> recovered(ExtFilesystem fs) throws Exception {
        Map<String, Recovered> out = new TreeMap<>();
        DeletedEntries it = fs.deleted().orElseThrow();
        for (Recovered r; (r = it.next()) != null; ) {
            out.put(r.place().dirName() + "/" + r.path().stream().map(c -> new String(c, StandardCharsets.UTF_8))
                    .collect(Collectors.joining("/")), r);
        }
        return out;
    }

    private static String md5(Layer l) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) l.size());
        l.readFully(0, b);
        return md5(b.array());
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }
}
