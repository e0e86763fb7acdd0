package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.ManifestFile;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.OracleFacts;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The evidence outputs of an ext4 guest (GPT, raw and qcow2) whose names hold '|', '\', a newline,
 * a tab, bytes that are not UTF-8 and 255 bytes, with hard links, symlinks, sparse files, xattrs,
 * a fifo and a socket (the fixture tree): the manifest against a read-only loop mount (stat to the
 * nanosecond, sha256sum, md5sum), the bodyfile through Sleuth Kit's mactime, the tar through GNU
 * tar and bsdtar against the same mount, and the manifest on stdout with the report on stderr.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestExtTest {
    private Path work;
    private ExtFixture.Disk disk;
    private Path qcow2;
    private Map<String, OracleFacts.Facts> stat;
    private Map<String, String> sha256;
    private Map<String, String> md5;
    private TreeMap<String, EntryFacts> tree;
    private long hugeSparseBlocks;

    @BeforeAll
    void build() throws Exception {
        Need.root();
        Need.tools("mke2fs", "sgdisk", "qemu-img", "python3", "sha256sum", "md5sum", "stat");
        work = Files.createTempDirectory("vdetach-manifest-ext");
        Path src = work.resolve("tree");
        FixtureTree.create(src, FixtureTree.Options.small());
        Path odd = Files.createDirectory(src.resolve("odd"));
        Files.writeString(odd.resolve("pipe|name"), "pipe\n");
        Files.writeString(odd.resolve("back\\slash"), "backslash\n");
        Files.writeString(odd.resolve("tab\tname"), "tab\n");
        Files.writeString(odd.resolve("a|b\\c\nd\te"), "all of them\n");
        disk = ExtFixture.gptExt4(work, src);
        ExtFixture.Part p = disk.part("p1");
        // a name that is not UTF-8 cannot come through Java's paths: made in the filesystem itself
        try (LoopMount m = LoopMount.readWrite(disk.image(), p.offset(), p.size(), "ext4", "")) {
            Sh.bash("cd '" + m.path() + "/odd' && printf 'not utf-8\\n' > \"$(printf 'bad\\xff\\xfe')\""
                    + " && ln \"$(printf 'bad\\xff\\xfe')\" \"$(printf 'link\\xc3')\" && ln -s \"$(printf 'bad\\xff\\xfe')\" \"$(printf 'sym\\x80')\"");
        }
        qcow2 = work.resolve("gpt-ext4.qcow2");
        Sh.run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", disk.image().toString(), qcow2.toString());
        try (LoopMount m = LoopMount.readOnly(disk.image(), p.offset(), p.size(), "ext4", "")) {
            stat = OracleFacts.stat(m.path());
            sha256 = OracleFacts.digests(m.path(), "sha256sum");
            md5 = OracleFacts.digests(m.path(), "md5sum");
            tree = HostTree.walk(m.path());
        }
        assertThat(stat).containsKey(OracleFacts.key("odd/bad\u00ff\u00fe".getBytes(StandardCharsets.ISO_8859_1)));
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    @Test
    void manifestAndBodyfileMatchTheKernelRawAndQcow2() throws Exception {
        for (Path image : List.of(disk.image(), qcow2)) {
            String name = image.getFileName().toString();
            Path dest = work.resolve("out-" + name);
            Path manifest = work.resolve(name + ".manifest");
            Path body = work.resolve(name + ".body");
            Cli.Run r = Cli.run("extract", "--json", "--manifest", manifest.toString(), "--bodyfile", body.toString(),
                    "--hash", "sha256,md5", image.toString(), dest.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            List<ManifestFile.Line> all = ManifestFile.read(manifest);
            ManifestFile.Line header = all.getFirst();
            assertThat(header.type()).isEqualTo("header");
            assertThat(header.list("command_line")).contains("extract", "--manifest", image.toString());
            assertThat(header.list("hashes")).containsExactly("sha256", "md5");
            assertThat(header.str("vdetach")).startsWith("vdetach ");
            ManifestFile.Line summary = all.getLast();
            assertThat(summary.type()).isEqualTo("summary");
            List<ManifestFile.Line> entries = all.subList(1, all.size() - 1);
            assertThat(summary.num("entries")).isEqualTo(entries.size());
            assertThat(summary.num("exit_code")).isZero();

            Map<String, ManifestFile.Line> byName = ManifestChecks.assertMatches(entries, "p1", stat, sha256, md5, true, true);
            for (ManifestFile.Line l : entries) {
                // where it went: DEST/p1/<the same name>, holding the hashed bytes
                byte[] path = l.bytes("path");
                assertThat(new String(path, StandardCharsets.ISO_8859_1))
                        .isEqualTo(l.guestName().length == 0 ? "p1" : "p1/" + OracleFacts.key(l.guestName()));
                if (l.type().equals("file") && !l.has("hardlink_to")) {
                    assertThat(l.num("shared_bytes") + l.num("copied_bytes") + l.num("decoded_bytes")).isLessThanOrEqualTo(l.num("size"));
                    assertThat(l.num("allocated")).isLessThanOrEqualTo((l.num("size") + 4095) / 4096 * 4096);
                }
            }
            ManifestFile.Line bad = byName.get(OracleFacts.key("odd/bad\u00ff\u00fe".getBytes(StandardCharsets.ISO_8859_1)));
            assertThat(bad.str("guest_path")).isEqualTo("p1/odd/bad\\xff\\xfe");
            assertThat(bad.has("guest_name_b64")).isTrue();
            ManifestFile.Line later = byName.get(OracleFacts.key("hard2/link-to-original".getBytes(StandardCharsets.UTF_8)));
            ManifestFile.Line first = byName.get(OracleFacts.key("hard1/original".getBytes(StandardCharsets.UTF_8)));
            assertThat(later.has("hardlink_to") ^ first.has("hardlink_to")).as("one name is the first").isTrue();
            assertThat(later.str("sha256")).isEqualTo(first.str("sha256"));
            ManifestFile.Line sparse = byName.get("sparse/hole-middle");
            assertThat(sparse.num("allocated")).isEqualTo(2L << 20);
            assertThat(byName.get("xattrs/large").list("xattrs")).containsExactlyInAnyOrder("user.big", "user.second", "user.empty");
            ManifestChecks.assertMactimeReads(body, stat.size());
            Sh.exec(null, "rm", "-rf", dest.toString());
        }
    }

    @Test
    void tarIsExactForGnuTarAndBsdtar() throws Exception {
        Need.tools("tar", "bsdtar", "getfattr");
        Path archive = work.resolve("guest.tar");
        Path manifest = work.resolve("tar.manifest");
        Cli.Run r = Cli.run("extract", "--json", "--tar", archive.toString(), "--manifest", manifest.toString(), disk.image().toString());
        // tar has no member type for sockets: that one entry fails, everything else is archived
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("special/socket", "socket");
        List<ManifestFile.Line> entries = ManifestFile.entries(manifest);
        ManifestFile.Line socket = entries.stream().filter(l -> "p1/special/socket".equals(l.str("guest_path"))).findFirst().orElseThrow();
        assertThat(socket.str("status")).isEqualTo("error");
        assertThat(socket.str("kind")).isEqualTo("unsupported");
        Map<String, OracleFacts.Facts> noSocket = new TreeMap<>(stat);
        noSocket.remove("special/socket");
        ManifestChecks.assertMatches(entries.stream().filter(l -> !"error".equals(l.str("status"))).toList(), "p1", noSocket, sha256,
                null, true, true);
        TreeMap<String, EntryFacts> expected = new TreeMap<>(tree);
        expected.remove("special/socket");
        for (String[] tool : ManifestChecks.TAR_READERS) {
            ManifestChecks.Unpacked x = ManifestChecks.unpack(tool, archive, work);
            Path to = x.dir();
            // GNU tar also says so of the times after today and before 1970 the fixture holds (2038, 2100, 1969)
            assertThat(x.err()
                    .replaceAll("tar: [^\n]*: time stamp [^\n]* in the future\n", "")
                    .replaceAll("tar: [^\n]*: implausibly old time stamp [^\n]*\n", "")).as(tool[0]).isEmpty();
            TreeMap<String, EntryFacts> want = expected;
            if (tool[0].equals("bsdtar")) {
                // libarchive reads a pax time "-1.876543211" as -1 s + 0.876543211 s (it writes -1.876… as
                // "-2.123456789"); GNU tar reads it as the decimal number it is, as POSIX defines pax times
                want = new TreeMap<>(expected);
                EntryFacts f = want.get(FixtureTree.PRE_EPOCH);
                want.put(FixtureTree.PRE_EPOCH, new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(),
                        f.mtimeSeconds() + 1, 1_000_000_000 - f.mtimeNanos(), f.linkTarget(), f.rdev(), f.xattrs(), f.linkGroup()));
            }
            TreeAssert.assertSameTree(want, HostTree.walk(to.resolve("p1")));
            // holes stay holes: 4 MiB with 100,000 bytes of data, 3 MiB of nothing
            long holeEnd = Long.parseLong(Sh.run("stat", "-c", "%b", to.resolve("p1/sparse/hole-end").toString()).trim()) * 512;
            long allHole = Long.parseLong(Sh.run("stat", "-c", "%b", to.resolve("p1/sparse/all-hole").toString()).trim()) * 512;
            assertThat(holeEnd).as(tool[0]).isLessThan(200_000);
            assertThat(allHole).as(tool[0]).isLessThan(8192);
            Sh.exec(null, "rm", "-rf", to.toString());
        }
    }

    @Test
    void lsWritesTheSameLinesWithoutExtractionKeys() throws Exception {
        Path manifest = work.resolve("ls.manifest");
        // --hash takes a value only when it names algorithms: here IMAGE stays the image
        Cli.Run r = Cli.run("ls", "--manifest", manifest.toString(), "--hash", disk.image().toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        List<ManifestFile.Line> entries = ManifestFile.entries(manifest);
        ManifestChecks.assertMatches(entries, "p1", stat, sha256, null, true, true);
        assertThat(entries).allMatch(l -> !l.has("path") && !l.has("shared_bytes"));
        // without --hash no content is read: no hashes
        Path plain = work.resolve("ls-plain.manifest");
        assertThat(Cli.run("ls", qcow2.toString(), "--manifest", plain.toString()).exit()).isZero();
        assertThat(ManifestFile.entries(plain)).hasSize(entries.size()).allMatch(l -> !l.has("sha256"));
    }

    @Test
    void manifestToStdoutAndTheReportToStderr() throws Exception {
        Path dest = work.resolve("out-stdout");
        Cli.Run r = Cli.run("extract", "--manifest", "-", "--json", disk.image().toString(), dest.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        Path captured = work.resolve("stdout.manifest");
        Files.writeString(captured, r.out());
        List<ManifestFile.Line> entries = ManifestFile.entries(captured);
        ManifestChecks.assertMatches(entries, "p1", stat, sha256, null, true, true);
        ManifestFile.assertJson(r.err());
        assertThat(r.err()).contains("\"files\"", "\"bytes_total\"");
        // an existing manifest is never overwritten
        Path existing = work.resolve("existing.manifest");
        Files.writeString(existing, "keep\n");
        Cli.Run refused = Cli.run("extract", "--manifest", existing.toString(), disk.image().toString(), work.resolve("out-x").toString());
        assertThat(refused.exit()).isEqualTo(4);
        assertThat(existing).hasContent("keep");
        assertThat(Cli.run("extract", "--hash", "md5", disk.image().toString(), work.resolve("out-y").toString()).exit()).isEqualTo(2);
        assertThat(Cli.run("detach", "--tar", "x.tar", disk.image().toString(), work.resolve("out-z").toString()).exit()).isEqualTo(2);
        Sh.exec(null, "rm", "-rf", dest.toString());
    }
}
