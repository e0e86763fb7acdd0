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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** DEST on another filesystem (tmpfs): --mode share exits 4 saying why; copy mode is exact; conflicts rename. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CopyModeTest {
    private Path work;
    private ExtFixture.Disk disk;

    @BeforeAll
    void build() throws Exception {
        Need.root();
        Need.tools("mke2fs", "sgdisk");
        work = Files.createTempDirectory("vdetach-copy");
        Path tree = work.resolve("tree");
        FixtureTree.create(tree, FixtureTree.Options.small());
        disk = ExtFixture.gptExt4(work, tree);
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    @Test
    void shareModeOntoTmpfsIsRefusedWithExit4() throws Exception {
        Path dest = Files.createTempDirectory(Path.of("/dev/shm"), "vdetach-share-refused");
        try {
            Cli.Run r = Cli.run("extract", "--mode", "share", disk.image().toString(), dest.toString());
            assertThat(r.exit()).isEqualTo(4);
            assertThat(r.err()).contains("--mode share").contains("tmpfs").contains("cannot share");
            try (var s = Files.list(dest)) {
                assertThat(s.count()).as("nothing written").isZero();
            }
        } finally {
            Sh.exec(null, "rm", "-rf", dest.toString());
        }
    }

    @Test
    void aVolumeThatIsNotThereIsAUsageError() throws Exception {
        Path dest = Files.createTempDirectory(Path.of("/dev/shm"), "vdetach-novolume");
        try {
            for (String cmd : new String[] {"extract", "plan", "verify"}) {
                Cli.Run r = Cli.run(cmd, "--volume", "p9", disk.image().toString(), dest.toString());
                assertThat(r.exit()).as(cmd + ": " + r.err()).isEqualTo(2);
                assertThat(r.err()).contains("--volume p9: no such volume");
            }
            try (var s = Files.list(dest)) {
                assertThat(s.count()).as("nothing written").isZero();
            }
        } finally {
            Sh.exec(null, "rm", "-rf", dest.toString());
        }
    }

    @Test
    void copyModeIsExactAndSecondRunRenames() throws Exception {
        Path dest = Files.createTempDirectory(Path.of("/dev/shm"), "vdetach-copy");
        try {
            Cli.Run r = Cli.run("extract", "--mode", "copy", "--json", disk.image().toString(), dest.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("\"bytes_shared\": 0");
            ExtFixture.Part p = disk.part("p1");
            try (LoopMount m = LoopMount.readOnly(disk.image(), p.offset(), p.size(), "ext4", "")) {
                TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), HostTree.walk(dest.resolve("p1"), "lost+found"));
            }
            Cli.Run again = Cli.run("extract", "--json", "--include", "p1/files/**", disk.image().toString(), dest.toString());
            assertThat(again.exit()).isZero();
            assertThat(again.out()).contains("\"action\": \"renamed\"", "small (1).txt");
            assertThat(dest.resolve("p1/files/small (1).txt")).hasContent("hello, guest\n");
            Cli.Run skip = Cli.run("extract", "--json", "--on-conflict", "skip", "--include", "p1/files/small.txt",
                    disk.image().toString(), dest.toString());
            assertThat(skip.out()).contains("\"action\": \"skipped\"");
            Cli.Run fail = Cli.run("extract", "--on-conflict", "fail", "--include", "p1/files/small.txt",
                    disk.image().toString(), dest.toString());
            assertThat(fail.exit()).isEqualTo(4);
        } finally {
            Sh.exec(null, "rm", "-rf", dest.toString());
        }
    }
}
