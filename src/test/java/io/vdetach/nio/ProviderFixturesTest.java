package io.vdetach.nio;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.api.GuestVolume;
import io.vdetach.api.Image;
import io.vdetach.guestfs.ntfs.NtfsFixtureAccess;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import io.vdetach.volume.lvm.LvmFixtureAccess;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Disks made by the real tools from the fixture tree (GPT, MBR with logical partitions, LVM; the
 * LVM disk also as qcow2) and the NTFS feature disk (streams, hard links, reparse points,
 * compression): a walk through the provider equals the kernel's (or ntfs-3g's) read-only mount of
 * each volume and {@code vdetach extract}'s output, entry by entry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProviderFixturesTest {
    private Path work;
    private Path tree;

    @BeforeAll
    void buildTree() throws Exception {
        Need.root();
        Need.tools("mke2fs", "sgdisk", "sfdisk", "getfattr");
        work = Files.createTempDirectory("vdetach-provider");
        tree = work.resolve("tree");
        FixtureTree.create(tree, FixtureTree.Options.small().withDeviceNode());
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    interface Maker {
        Path make(Path dir, Path tree) throws Exception;
    }

    Stream<Arguments> disks() {
        return Stream.of(
                Arguments.of("gpt-ext4", (Maker) (d, t) -> ExtFixture.gptExt4(d, t).image()),
                Arguments.of("mbr-logical-ext2-ext3", (Maker) (d, t) -> ExtFixture.mbrLogicalExt2Ext3(d, t).image()),
                Arguments.of("mbr-lvm-ext4-ext2", (Maker) (d, t) -> {
                    Need.tools("lvm");
                    return LvmFixtureAccess.mbrLvmExt4(d, t).image();
                }),
                Arguments.of("mbr-lvm-ext4-ext2.qcow2", (Maker) (d, t) -> {
                    Need.tools("lvm", "qemu-img");
                    Path raw = LvmFixtureAccess.mbrLvmExt4(d, t).image();
                    Path q = d.resolve("lvm.qcow2");
                    Sh.run("qemu-img", "convert", "-O", "qcow2", raw.toString(), q.toString());
                    return q;
                }),
                Arguments.of("gpt-ntfs-features", (Maker) (d, t) -> {
                    Need.tools("mkntfs", "ntfs-3g", "setfattr");
                    return NtfsFixtureAccess.featuresDisk(d);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("disks")
    void providerEqualsMountAndExtraction(String name, Maker maker) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        Path dest = Files.createTempDirectory(Path.of("/dev/shm"), "vdetach-dest");
        try {
            Path image = maker.make(dir, tree);
            Cli.Run x = Cli.run("extract", "--no-progress", image.toString(), dest.toString());
            assertThat(x.exit()).as(x.out() + x.err()).isZero();
            try (FileSystem fs = FileSystems.newFileSystem(image); Image img = Image.open(image)) {
                Path raw = OracleMounts.expand(img, dir);
                List<GuestVolume> readable = img.volumes().stream().filter(GuestVolume::readable).toList();
                assertThat(readable).isNotEmpty();
                for (GuestVolume v : readable) {
                    TreeMap<String, EntryFacts> provider = ProviderTree.walk(fs.getPath("/" + v.name()));
                    TreeMap<String, EntryFacts> extracted = HostTree.walk(dest.resolve(v.name()));
                    TreeMap<String, EntryFacts> withStreams = new TreeMap<>(provider);
                    for (String p : extracted.keySet()) {
                        if (withStreams.containsKey(p) || !p.contains(":")) continue;
                        Path s = fs.getPath("/" + v.name()).resolve(p);
                        withStreams.put(p, ProviderTree.facts(s, Files.readAttributes(s, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
                    }
                    TreeAssert.assertSameTree(extracted, withStreams);

                    TreeMap<String, EntryFacts> oracle = OracleMounts.walk(raw, v);
                    TreeMap<String, EntryFacts> ours = new TreeMap<>(provider);
                    if (v.contentType().equals("ntfs")) {
                        // ntfs-3g without its plugin shows the WOF file as an "unsupported reparse tag" symlink
                        oracle.remove("wof");
                        ours.remove("wof");
                        // extract writes the stream beside the first of the file's three names it meets
                        assertThat(extracted.keySet()).anyMatch(k -> k.endsWith(":bigstream"));
                        assertThat(ProviderTree.sha256(fs.getPath("/" + v.name() + "/small:bigstream")))
                                .isEqualTo(HostTree.sha256(dir.resolve("bigstream.bin")));
                    }
                    OracleMounts.assertSame(oracle, v.contentType(), ours);
                    System.out.printf("provider = mount = extract: %s %s (%s): %d entries%n", name, v.name(), v.contentType(), provider.size());
                }
            }
        } finally {
            Sh.exec(null, "rm", "-rf", dest.toString(), dir.toString());
        }
    }
}
