package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every ext fixture disk of issue 2, extracted through the command line into tmpfs (copy mode:
 * another filesystem), equals the same partition mounted read-only by the kernel, entry by
 * entry: type, size, SHA-256, mode, uid/gid, mtime (ns), link target, hard-link groups, xattrs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExtractExactnessTest {
    private Path work;
    private Path tree;

    @BeforeAll
    void buildTree() throws Exception {
        Need.root();
        Need.tools("mke2fs", "sgdisk", "sfdisk", "getfattr");
        work = Files.createTempDirectory("vdetach-exact");
        tree = work.resolve("tree");
        FixtureTree.create(tree, FixtureTree.Options.small().withDeviceNode());
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    Stream<Arguments> disks() {
        return Stream.of(
                Arguments.of("gpt-ext4", (BiFunction<Path, Path, ExtFixture.Disk>) (d, t) -> uncheck(() -> ExtFixture.gptExt4(d, t))),
                Arguments.of("mbr-logical-ext2-ext3", (BiFunction<Path, Path, ExtFixture.Disk>) (d, t) -> uncheck(() -> ExtFixture.mbrLogicalExt2Ext3(d, t))),
                Arguments.of("unpartitioned-ext4", (BiFunction<Path, Path, ExtFixture.Disk>) ExtFixture::unpartitionedExt4),
                Arguments.of("ext4-1k-blocks", (BiFunction<Path, Path, ExtFixture.Disk>) ExtFixture::ext4Blocks1k),
                Arguments.of("ext4-64bit-csum", (BiFunction<Path, Path, ExtFixture.Disk>) ExtFixture::ext4Csum64),
                Arguments.of("ext4-inline-data", (BiFunction<Path, Path, ExtFixture.Disk>) ExtFixture::ext4InlineData));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("disks")
    void extractionEqualsKernelMount(String name, BiFunction<Path, Path, ExtFixture.Disk> make) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        ExtFixture.Disk disk = make.apply(dir, tree);
        String before = HostTree.sha256(disk.image());
        Path dest = Files.createTempDirectory(Path.of("/dev/shm"), "vdetach-dest");
        try {
            Cli.Run r = Cli.run("extract", "--no-progress", disk.image().toString(), dest.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            for (ExtFixture.Part p : disk.parts()) {
                try (LoopMount m = LoopMount.readOnly(disk.image(), p.offset(), p.size(), "ext4", "")) {
                    TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"),
                            HostTree.walk(dest.resolve(p.volume()), "lost+found"));
                }
            }
            Cli.Run v = Cli.run("verify", disk.image().toString(), dest.toString());
            assertThat(v.exit()).as(v.out()).isZero();
            assertThat(HostTree.sha256(disk.image())).as("the image is never modified").isEqualTo(before);
        } finally {
            Sh.exec(null, "rm", "-rf", dest.toString());
            Sh.exec(null, "rm", "-rf", dir.toString());
        }
    }

    interface Io<T> { T get() throws Exception; }

    static <T> T uncheck(Io<T> f) {
        try {
            return f.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
