package io.vdetach.volume.vss;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.CliProcess;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.ScratchHost;
import io.vdetach.testkit.SharedExtents;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import io.vdetach.testkit.VshadowMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line on the corpus volume with two shadow copies (dfvfs vsstest.qcow2, read
 * through vdetach's qcow2 reader): {@code ls} lists the stores SOURCES.md asserts, and each
 * store's extracted tree equals an ntfs-3g read-only mount of libvshadow's vshadowmount file of
 * that store (of the volume converted to raw by qemu-img).
 *
 * <p>Not compared, as in NtfsOracleTest: our {@code user.ntfs.crtime}/{@code user.ntfs.attrib}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VssExtractTest {
    private static final List<String> OURS_ONLY = List.of("user.ntfs.crtime", "user.ntfs.attrib");

    private Path work;
    private Path image;
    private final Map<String, TreeMap<String, EntryFacts>> oracle = new HashMap<>();

    @BeforeAll
    void oracles() throws Exception {
        image = Corpus.file("dfvfs/vsstest.qcow2");
        Need.root();
        Need.tools("qemu-img", "ntfs-3g", "vshadowmount", "getfattr");
        work = Files.createTempDirectory(Path.of("/var/tmp"), "vdetach-vss");
        Path raw = StoreViewTest.raw(work);
        try (LoopMount m = LoopMount.readOnly(raw, 0, 0, "ntfs-3g", "streams_interface=xattr")) {
            oracle.put("disk", HostTree.walk(m.path()));
        }
        try (VshadowMount vss = VshadowMount.of(raw)) {
            for (int n = 1; n <= 2; n++) {
                try (LoopMount m = LoopMount.readOnly(vss.store(n), 0, 0, "ntfs-3g", "streams_interface=xattr")) {
                    oracle.put("disk@vss" + n, HostTree.walk(m.path()));
                }
            }
        }
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    @Test
    void lsListsTheAssertedStores() {
        Cli.Run r = Cli.run("ls", "--volumes-only", image.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("shadow copies of disk (VSS): 2",
                "disk@vss1  600f0b69-5bdf-11e3-9d6c-005056c00008  2013-12-03 06:35:09.7363787      1073741824  0x00420009",
                "disk@vss2  600f0b6d-5bdf-11e3-9d6c-005056c00008  2013-12-03 06:37:48.9190583      1073741824  0x00420009");
        Cli.Run j = Cli.run("ls", "--volumes-only", "--json", image.toString());
        assertThat(j.exit()).as(j.err()).isZero();
        assertThat(j.out()).contains("\"shadow_copies\"", "\"identifier\": \"600f0b6d-5bdf-11e3-9d6c-005056c00008\"",
                "\"created\": \"2013-12-03 06:37:48.9190583\"", "\"created_filetime\": 130305262689190583",
                "\"volume_size\": 1073741824", "\"attribute_flags\": \"0x00420009\"");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void extractOneStoreEqualsVshadowmount(int n) throws Exception {
        Path dest = work.resolve("one" + n);
        Cli.Run r = Cli.run("extract", "--no-progress", "--vss", Integer.toString(n), image.toString(), dest.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        try (Stream<Path> top = Files.list(dest)) {
            assertThat(top.map(p -> p.getFileName().toString()).toList()).containsExactly("disk@vss" + n);
        }
        TreeAssert.assertSameTree(oracle.get("disk@vss" + n), ours(dest.resolve("disk@vss" + n)));
    }

    @Test
    void extractAllPutsEachStoreNextToTheLiveVolume() throws Exception {
        Path dest = work.resolve("all");
        Cli.Run r = Cli.run("extract", "--no-progress", "--vss", "all", "--json", image.toString(), dest.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        try (Stream<Path> top = Files.list(dest)) {
            assertThat(top.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("disk", "disk@vss1", "disk@vss2");
        }
        for (String v : List.of("disk", "disk@vss1", "disk@vss2")) TreeAssert.assertSameTree(oracle.get(v), ours(dest.resolve(v)));
        // separate evidence: the stores' copies of one file are never hard links of each other or of the live one
        try (Stream<Path> all = Files.walk(dest)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                assertThat((Integer) Files.getAttribute(p, "unix:nlink")).as(p.toString()).isEqualTo(1);
            }
        }
        assertThat(r.out()).contains("\"name\": \"disk@vss1\"", "\"name\": \"disk@vss2\"");
    }

    /**
     * On an XFS DEST on the same filesystem as a raw copy of the volume, a store's files share
     * their blocks with the image exactly like the live volume's (FIEMAP's shared flag): what no
     * store changed is the live volume's run (the same physical blocks as the live file's), what one
     * preserved is its copy inside the volume. The corpus's user files are a few hundred bytes
     * (tails, written), so NTFS's own files ({@code --system}: $LogFile, $MFT, $UpCase …) carry the data.
     */
    @Test
    void storesShareWithTheImageLikeTheLiveVolume() throws Exception {
        Need.tools("mkfs.xfs", "filefrag");
        try (ScratchHost host = ScratchHost.create(work, "xfs", 3L << 30)) {
            Path raw = StoreViewTest.raw(host.root());
            Path dest = host.resolve("out");
            Cli.Run r = Cli.run("extract", "--no-progress", "--mode", "share", "--system", "--vss", "all", "--json", raw.toString(),
                    dest.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            for (String v : List.of("disk", "disk@vss1", "disk@vss2")) {
                TreeMap<String, EntryFacts> t = ours(dest.resolve(v));
                t.keySet().removeIf(k -> k.startsWith("$"));
                TreeAssert.assertSameTree(oracle.get(v), t);
                long[] sharedAndData = SharedExtents.ofLargeFiles(dest.resolve(v));
                System.out.printf("SHARE %s: %d of %d data bytes of files >= 64 KiB shared%n", v, sharedAndData[0], sharedAndData[1]);
                assertThat(sharedAndData[1]).as(v + " has data in files >= 64 KiB").isGreaterThan(7L << 20);
                // file tails are written on XFS, not cloned (FIELD-NOTES), like the live volume's
                assertThat((double) sharedAndData[0] / sharedAndData[1]).as(v + ": share ratio").isGreaterThanOrEqualTo(0.99);
            }
            // unchanged since the shadow copies: the very blocks of the live file; $LogFile changed: partly preserved copies
            for (String v : List.of("disk@vss1", "disk@vss2")) {
                assertThat(physical(dest.resolve(v + "/$UpCase"))).isEqualTo(physical(dest.resolve("disk/$UpCase")));
                assertThat(physical(dest.resolve(v + "/$LogFile"))).isNotEqualTo(physical(dest.resolve("disk/$LogFile")));
            }
        }
    }

    /** The physical extents of a file (filefrag -v), without the columns that do not name blocks. */
    private static List<String> physical(Path p) {
        return Sh.run("filefrag", "-v", "-b4096", p.toString()).lines().filter(l -> l.matches("\\s*\\d+:.*"))
                .map(l -> l.replaceAll("^\\s*\\d+:\\s*", "").replaceAll("\\s+(shared|last|eof|,)+\\s*$", "").trim()).toList();
    }


    @Test
    void catAndVerifyReadTheStore() throws Exception {
        Path dest = work.resolve("verify");
        assertThat(Cli.run("extract", "--no-progress", "--vss", "1", image.toString(), dest.toString()).exit()).isZero();
        Cli.Run v = Cli.run("verify", "--vss", "1", image.toString(), dest.toString());
        assertThat(v.exit()).as(v.out() + v.err()).isZero();
        // cat writes to the process's own stdout: a JVM of its own
        Sh.Result c = CliProcess.run("256m", "cat", "--vss", "1", image.toString(), "disk/syslog");
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(sha256(c.out())).isEqualTo(oracle.get("disk@vss1").get("syslog").sha256());
        Sh.Result all = CliProcess.run("256m", "cat", "--vss", "all", image.toString(), "disk@vss1/syslog");
        assertThat(all.out()).isEqualTo(c.out());
        assertThat(CliProcess.run("256m", "cat", "--vss", "all", image.toString(), "disk/syslog").exit()).as("live: no syslog")
                .isNotZero();
    }

    @Test
    void planCountsEveryStore() {
        Cli.Run p = Cli.run("plan", "--json", "--vss", "all", image.toString(), work.resolve("plan").toString());
        assertThat(p.exit()).as(p.out() + p.err()).isZero();
        assertThat(p.out()).contains("\"name\": \"disk@vss1\"", "\"name\": \"disk@vss2\"");
        assertThat(work.resolve("plan")).doesNotExist();
    }

    @Test
    void optionsThatNameNoStoreAreUsageErrors() throws Exception {
        Path copy = Files.copy(image, work.resolve("copy.qcow2"));
        Cli.Run d = Cli.run("detach", "--no-progress", "--streaming", "--vss", "1", copy.toString(), work.resolve("d").toString());
        assertThat(d.exit()).isEqualTo(2);
        assertThat(copy).exists();
        assertThat(Cli.run("ls", "--vss", "3", image.toString()).exit()).isEqualTo(2);
        assertThat(Cli.run("ls", "--vss", "0", image.toString()).exit()).isEqualTo(2);
        assertThat(Cli.run("ls", "--vss", "newest", image.toString()).exit()).isEqualTo(2);
        assertThat(Cli.run("dump", "--vss", "1", image.toString(), work.resolve("dump.raw").toString()).exit()).isEqualTo(2);
        assertThat(work.resolve("dump.raw")).doesNotExist();
    }

    /** The oracle's syslog is text: what cat printed, as UTF-8, hashes the same. */
    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static TreeMap<String, EntryFacts> ours(Path root) throws Exception {
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        HostTree.walk(root).forEach((k, f) -> {
            TreeMap<String, String> x = new TreeMap<>(f.xattrs());
            OURS_ONLY.forEach(x::remove);
            out.put(k, new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(), f.mtimeSeconds(), f.mtimeNanos(),
                    f.linkTarget(), f.rdev(), x, f.linkGroup()));
        });
        return out;
    }
}
