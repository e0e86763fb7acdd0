package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.ScratchHost;
import io.vdetach.testkit.SharedExtents;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On hosts that share extents (XFS with reflink, Btrfs), extraction shares the guest's data
 * with the image (proven with FIEMAP's shared flag), leaves the image untouched, and detach
 * then leaves every file correct after the image is gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShareTest {
    private static final long MIB = 1L << 20;
    private Path work;
    private Path tree;

    @BeforeAll
    void buildTree() throws Exception {
        Need.root();
        Need.tools("mke2fs", "sgdisk", "mkfs.xfs", "mkfs.btrfs");
        work = Files.createTempDirectory(Path.of("/var/tmp"), "vdetach-share");
        tree = work.resolve("tree");
        FixtureTree.create(tree, FixtureTree.Options.defaults());
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs", "btrfs"})
    void sharesAlmostAllDataAndDetachKeepsEveryFile(String hostType) throws Exception {
        try (ScratchHost host = ScratchHost.create(work, hostType, 700 * MIB)) {
            Path disk = host.resolve("guest.img");
            long fsSize = 120 * MIB;
            Sh.run("truncate", "-s", (fsSize + 2 * MIB) + "", disk.toString());
            Sh.run("sgdisk", "-n", "1:2048:+" + fsSize / 1024 + "K", "-t", "1:8300", disk.toString());
            Path fs = ExtFixture.mkfs(work.resolve("share.fs"), fsSize, tree, "ext4", "share", "-b", "4096");
            ExtFixture.place(fs, disk, MIB);
            Files.delete(fs);
            Sh.run("sync");
            TreeMap<String, EntryFacts> oracle;
            try (LoopMount m = LoopMount.readOnly(disk, MIB, fsSize, "ext4", "")) {
                oracle = HostTree.walk(m.path(), "lost+found");
            }
            String imageSha = HostTree.sha256(disk);

            Path dest = host.resolve("out");
            Cli.Run r = Cli.run("extract", "--no-progress", "--mode", "share", "--json", disk.toString(), dest.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("\"bytes_shared\"", "\"files\"", "\"volumes\"", "\"errors\": []");
            TreeAssert.assertSameTree(oracle, HostTree.walk(dest.resolve("p1"), "lost+found"));
            assertThat(HostTree.sha256(disk)).as("the image is never modified").isEqualTo(imageSha);

            long[] sharedAndData = SharedExtents.ofLargeFiles(dest.resolve("p1"));
            double ratio = (double) sharedAndData[0] / sharedAndData[1];
            System.out.printf("%s: %d of %d data bytes of files >= 64 KiB shared (%.4f)%n", hostType, sharedAndData[0], sharedAndData[1], ratio);
            assertThat(ratio).isGreaterThanOrEqualTo(0.99);

            Path dest2 = host.resolve("detached");
            Cli.Run d = Cli.run("detach", "--no-progress", "--json", disk.toString(), dest2.toString());
            assertThat(d.exit()).as(d.out() + d.err()).isZero();
            assertThat(Files.exists(disk)).isFalse();
            assertThat(d.out()).contains("\"space_reclaimed\"", "\"deleted\"");
            TreeAssert.assertSameTree(oracle, HostTree.walk(dest2.resolve("p1"), "lost+found"));
            TreeAssert.assertSameTree(oracle, HostTree.walk(dest.resolve("p1"), "lost+found"));
        }
    }

}
