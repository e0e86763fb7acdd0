package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 16 MiB ext4 whose ten files were patched (debugfs) to claim the same 3,000 blocks each: 117
 * MiB of "data" from a 16 MiB volume. Extraction stops at the volume's size and says so; the
 * refused files are errors; --max-output moves the cap.
 */
@Timeout(120)
class OutputCapTest {
    @TempDir Path dir;
    static final long FILE = 3000L * 4096;

    private Path amplifying() throws Exception {
        Need.tools("mke2fs", "debugfs");
        Path tree = Files.createDirectories(dir.resolve("tree"));
        for (int i = 0; i < 10; i++) Files.writeString(tree.resolve("f" + i), "file " + i + "\n");
        Path img = dir.resolve("fs.ext4");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", tree.toString(), img.toString(), "16M");
        for (int i = 0; i < 10; i++) {
            // i_block[4]: the only extent's ee_len (and ee_start_hi 0); i_block[5]: its ee_start_lo
            Sh.run("debugfs", "-w", "-R", "sif /f" + i + " block[4] 3000", img.toString());
            Sh.run("debugfs", "-w", "-R", "sif /f" + i + " block[5] 256", img.toString());
            Sh.run("debugfs", "-w", "-R", "sif /f" + i + " size " + FILE, img.toString());
        }
        return img;
    }

    private static long files(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().startsWith("f")).count();
        }
    }

    @Test
    void outputStopsAtTheVolumesSizeUnlessRaised() throws Exception {
        Path img = amplifying();
        Cli.Run r = Cli.run("extract", img.toString(), dir.resolve("out").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(files(dir.resolve("out/disk"))).isEqualTo(1);
        assertThat(r.err()).contains("vdetach: warning: disk: output stopped at " + FILE + " bytes of file data, the cap of 16777216 bytes",
                "vdetach: error: disk/f9: not extracted");
        assertThat(r.out()).contains("warning: disk: output stopped");

        Cli.Run raised = Cli.run("extract", "--max-output", "40M", img.toString(), dir.resolve("out40").toString());
        assertThat(raised.exit()).isEqualTo(1);
        assertThat(files(dir.resolve("out40/disk"))).isEqualTo(3);
        assertThat(raised.err()).contains("(--max-output)");

        Cli.Run plan = Cli.run("plan", "--max-output", "unlimited", img.toString(), dir.resolve("plan").toString());
        assertThat(plan.exit()).as(plan.out() + plan.err()).isZero();
        assertThat(plan.out()).contains("would extract 10 files");
        assertThat(Cli.run("extract", "--max-output", "lots", img.toString(), dir.resolve("x").toString()).exit()).isEqualTo(2);
    }
}
