package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.guestfs.FileAttributes;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.ExtFixture;
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
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The evidence outputs of an NTFS guest (GPT, raw and qcow2) made by ntfs-3g: names with '|',
 * '\', a newline, a tab and 255 characters, hard links, a symlink, a sparse file, LZNT1-compressed
 * files (decoded while hashed), alternate data streams small (xattrs) and large (a file of their
 * own), Windows attributes. Oracle: ntfs-3g's read-only mount (streams_interface=xattr): stat to
 * 100 ns, sha256sum, system.ntfs_crtime_be and system.ntfs_attrib_be, the streams' values; the
 * large stream through streams_interface=windows. NTFS creation times and attributes are in the
 * manifest, not in the extracted files' xattrs (unless --ntfs-xattrs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestNtfsTest {
    private static final long NT_EPOCH_OFFSET = 116_444_736_000_000_000L; // 100 ns units from 1601 to 1970
    private static final long PART = 1L << 20;
    private static final long SIZE = 64L << 20;

    private Path work;
    private Path raw;
    private Path qcow2;
    private Map<String, OracleFacts.Facts> stat;
    private Map<String, String> sha256;
    private Map<String, Long> crtimeNs = new HashMap<>();
    private Map<String, Integer> attributes = new HashMap<>();
    private TreeMap<String, EntryFacts> tree;
    private String bigStreamSha;

    private static final String SCRIPT = """
            set -eu
            printf 'pipe\\n' > 'pipe|name'
            printf 'backslash\\n' > 'back\\slash'
            printf 'newline\\n' > "$(printf 'new\\nline')"
            printf 'tab\\n' > "$(printf 'tab\\tname')"
            printf 'long\\n' > "$(printf 'n%.0s' $(seq 255))"
            mkdir -p dir/sub c
            setfattr -n system.ntfs_attrib_be -v 0x00000800 c
            yes 'compressible line of text 0123456789' | head -c 400000 > c/text
            { yes abc | head -c 200000; head -c 200000 /dev/urandom; yes def | head -c 150000; } > c/mixed
            head -c 3000000 /dev/urandom > dir/big
            ln dir/big dir/hardlink; ln dir/big second-name
            ln -s dir/big rel
            truncate -s 10M sparse; printf x | dd of=sparse bs=1 seek=5000000 conv=notrunc status=none
            printf 'main stream\\n' > ads
            setfattr -n user.tiny -v hello ads
            setfattr -n user.binary -v 0x00ff0010 ads
            setfattr -n user.dirstream -v dirvalue dir
            printf ro > hidden-ro
            setfattr -n system.ntfs_attrib_be -v 0x00000003 hidden-ro
            touch -d '2021-01-01 13:37:00.1234567' dir/big
            """;

    @BeforeAll
    void build() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "setfattr", "getfattr", "sgdisk", "qemu-img", "python3", "sha256sum");
        work = Files.createTempDirectory("vdetach-manifest-ntfs");
        Path part = work.resolve("part.img");
        Sh.run("truncate", "-s", Long.toString(SIZE), part.toString());
        Sh.run("mkntfs", "-F", "-Q", "-q", "-L", "evidence", part.toString());
        try (LoopMount m = LoopMount.readWrite(part, 0, 0, "ntfs-3g", "streams_interface=xattr,compression")) {
            Sh.Result r = Sh.exec(m.path(), "bash", "-c", SCRIPT);
            assertThat(r.exit()).as(r.err()).isZero();
        }
        Path bigStream = work.resolve("bigstream.bin");
        Sh.bash("head -c 100000 /dev/urandom > " + bigStream);
        bigStreamSha = HostTree.sha256(bigStream);
        try (LoopMount m = LoopMount.readWrite(part, 0, 0, "ntfs-3g", "streams_interface=windows")) {
            Sh.run("cp", bigStream.toString(), m.path().resolve("ads:big").toString());
        }
        raw = work.resolve("gpt-ntfs.img");
        Sh.run("truncate", "-s", Long.toString(SIZE + (2L << 20)), raw.toString());
        Sh.run("sgdisk", "-n", "1:2048:+" + SIZE / 512, "-t", "1:0700", raw.toString());
        ExtFixture.place(part, raw, PART);
        Files.delete(part);
        qcow2 = work.resolve("gpt-ntfs.qcow2");
        Sh.run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString());
        try (LoopMount m = LoopMount.readOnly(raw, PART, SIZE, "ntfs-3g", "streams_interface=xattr")) {
            stat = OracleFacts.stat(m.path());
            sha256 = OracleFacts.digests(m.path(), "sha256sum");
            tree = HostTree.walk(m.path());
            Path out = work.resolve("ntfs-attrs.out");
            Sh.bash("cd '" + m.path() + "' && find . -print0 | while IFS= read -r -d '' f; do printf '%s\\0' \"$f\";"
                    + " getfattr -h --only-values -n system.ntfs_crtime_be \"$f\" | od -An -tx1 | tr -d ' \\n'; printf '\\0';"
                    + " getfattr -h --only-values -n system.ntfs_attrib_be \"$f\" | od -An -tx1 | tr -d ' \\n'; printf '\\0'; done > " + out);
            String[] f = new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1).split("\0", -1);
            for (int i = 0; i + 3 <= f.length; i += 3) {
                String key = f[i].equals(".") ? "" : f[i].substring(2);
                crtimeNs.put(key, (Long.parseUnsignedLong(f[i + 1], 16) - NT_EPOCH_OFFSET) * 100);
                attributes.put(key, (int) Long.parseLong(f[i + 2], 16));
            }
        }
        assertThat(stat).containsKeys("pipe|name", "back\\slash", "new\nline", "tab\tname", "n".repeat(255), "c/text", "rel");
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    @Test
    void manifestMatchesNtfs3gRawAndQcow2() throws Exception {
        for (Path image : List.of(raw, qcow2)) {
            String name = image.getFileName().toString();
            Path dest = work.resolve("out-" + name);
            Path manifest = work.resolve(name + ".manifest");
            Path body = work.resolve(name + ".body");
            Cli.Run r = Cli.run("extract", "--json", "--manifest", manifest.toString(), "--bodyfile", body.toString(),
                    image.toString(), dest.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            List<ManifestFile.Line> entries = ManifestFile.entries(manifest);
            Map<String, ManifestFile.Line> byName = ManifestChecks.assertMatches(entries, "p1", stat, sha256, null, false, true);
            for (var e : byName.entrySet()) {
                ManifestFile.Line l = e.getValue();
                assertThat(l.num("crtime_ns")).as("crtime of " + e.getKey()).isEqualTo(crtimeNs.get(e.getKey()));
                assertThat(l.list("ntfs_attributes")).as("attributes of " + e.getKey())
                        .isEqualTo(FileAttributes.names(attributes.get(e.getKey())));
                assertThat(l.str("inode")).matches(stat.get(e.getKey()).ino() + "-\\d+");
                assertThat(l.list("xattrs")).noneMatch(x -> x.startsWith("user.ntfs."));
                assertThat(l.str("mtime")).matches(".*\\.\\d{7}Z");
            }
            assertThat(byName.get("hidden-ro").list("ntfs_attributes")).contains("FILE_ATTRIBUTE_READONLY", "FILE_ATTRIBUTE_HIDDEN");
            assertThat(byName.get("c").list("ntfs_attributes")).contains("FILE_ATTRIBUTE_COMPRESSED", "FILE_ATTRIBUTE_DIRECTORY");
            assertThat(byName.get("dir/big").str("mtime")).isEqualTo("2021-01-01T13:37:00.1234567Z");
            ManifestFile.Line text = byName.get("c/text");
            assertThat(text.num("decoded_bytes")).isPositive();
            assertThat(text.num("allocated")).as("compressed: fewer clusters than bytes").isLessThan(text.num("size"));
            // streams: the small ones are xattrs too, the large one a file of its own; each hashed
            List<String[]> streams = byName.get("ads").streams();
            Map<String, String[]> byStream = new HashMap<>();
            for (String[] s : streams) byStream.put(new String(Base64.getDecoder().decode(s[0]), StandardCharsets.UTF_8), s);
            assertThat(byStream).containsOnlyKeys("tiny", "binary", "big");
            assertThat(byStream.get("tiny")[2]).isEqualTo(sha(tree.get("ads").xattrs().get("user.tiny")));
            assertThat(byStream.get("binary")[2]).isEqualTo(sha(tree.get("ads").xattrs().get("user.binary")));
            assertThat(byStream.get("big")[1]).isEqualTo("100000");
            assertThat(byStream.get("big")[2]).isEqualTo(bigStreamSha);
            assertThat(new String(Base64.getDecoder().decode(byStream.get("big")[3]), StandardCharsets.UTF_8)).isEqualTo("p1/ads:big");
            assertThat(HostTree.sha256(dest.resolve("p1/ads:big"))).isEqualTo(bigStreamSha);
            assertThat(byName.get("ads").list("xattrs")).containsExactlyInAnyOrder("user.tiny", "user.binary");
            List<String[]> dirStreams = byName.get("dir").streams();
            assertThat(dirStreams).hasSize(1);
            assertThat(new String(Base64.getDecoder().decode(dirStreams.getFirst()[0]), StandardCharsets.UTF_8)).isEqualTo("dirstream");
            assertThat(dirStreams.getFirst()[2]).isEqualTo(sha(tree.get("dir").xattrs().get("user.dirstream")));
            // nothing of NTFS's own metadata on the extracted files
            assertThat(Sh.run("getfattr", "-R", "-d", "-m", "-", dest.toString())).doesNotContain("user.ntfs.");
            ManifestChecks.assertMactimeReads(body, stat.size());
            Sh.exec(null, "rm", "-rf", dest.toString());
        }
        // --ntfs-xattrs: the old xattrs on request
        Path dest = work.resolve("out-xattrs");
        Cli.Run r = Cli.run("extract", "--ntfs-xattrs", raw.toString(), dest.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(Sh.run("getfattr", "-d", "-m", "-", "-e", "hex", dest.resolve("p1/dir/big").toString()))
                .contains("user.ntfs.crtime=", "user.ntfs.attrib=");
        Sh.exec(null, "rm", "-rf", dest.toString());
    }

    @Test
    void tarIsExactForGnuTarAndBsdtar() throws Exception {
        Need.tools("tar", "bsdtar");
        Path archive = work.resolve("ntfs.tar");
        Path manifest = work.resolve("ntfs-tar.manifest");
        Cli.Run r = Cli.run("extract", "--tar", archive.toString(), "--manifest", manifest.toString(), qcow2.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        ManifestChecks.assertMatches(ManifestFile.entries(manifest), "p1", stat, sha256, null, false, true);
        TreeMap<String, EntryFacts> expected = new TreeMap<>();
        tree.forEach((k, f) -> {
            TreeMap<String, String> x = new TreeMap<>(f.xattrs());
            x.remove("user.big"); // no host xattr holds 100,000 bytes: the stream is the member "ads:big"
            expected.put(k, new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(), f.mtimeSeconds(),
                    f.mtimeNanos(), f.linkTarget(), f.rdev(), x, f.linkGroup()));
        });
        for (String[] tool : ManifestChecks.TAR_READERS) {
            ManifestChecks.Unpacked x = ManifestChecks.unpack(tool, archive, work);
            Path to = x.dir();
            assertThat(x.err()).as(tool[0]).isEmpty();
            TreeMap<String, EntryFacts> got = HostTree.walk(to.resolve("p1"));
            EntryFacts stream = got.remove("ads:big");
            assertThat(stream.sha256()).isEqualTo(bigStreamSha);
            assertThat(stream.mtimeSeconds()).isEqualTo(expected.get("ads").mtimeSeconds());
            TreeAssert.assertSameTree(expected, got);
            long sparse = Long.parseLong(Sh.run("stat", "-c", "%b", to.resolve("p1/sparse").toString()).trim()) * 512;
            assertThat(sparse).as(tool[0] + ": holes stay holes").isLessThan(1 << 20);
            Sh.exec(null, "rm", "-rf", to.toString());
        }
    }

    private static String sha(String hex) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(HexFormat.of().parseHex(hex)));
    }
}
