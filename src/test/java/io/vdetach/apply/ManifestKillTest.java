package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.cli.Main;
import io.vdetach.testkit.ChildJvm;
import io.vdetach.testkit.ManifestFile;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdetach extract --manifest} in a child JVM killed with SIGKILL while it writes entries:
 * the manifest holds whole lines only, each one JSON object (Python's json reads every one), the
 * header first and no summary (which says the run did not end).
 */
class ManifestKillTest {
    @TempDir Path dir;

    @Test
    void aKilledRunLeavesOnlyCompleteLines() throws Exception {
        Need.tools("mke2fs", "python3");
        Path tree = dir.resolve("tree");
        // 30,000 small files: the run writes entries for seconds
        Sh.run("python3", "-c", """
                import os, sys
                root = sys.argv[1]
                for d in range(150):
                    os.makedirs('%s/d%03d' % (root, d))
                    for f in range(200):
                        with open('%s/d%03d/file-%05d-with-a-name-of-some-length' % (root, d, f), 'wb') as o:
                            o.write(os.urandom(1 + (d * 200 + f) % 3000))
                """, tree.toString());
        Path image = dir.resolve("many.img");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-N", "40000", "-d", tree.toString(), image.toString(), "256M");
        Sh.run("rm", "-rf", tree.toString());
        Path manifest = dir.resolve("run.manifest");
        Process p = ChildJvm.start(Main.class, dir.resolve("child.out"), dir.resolve("child.err"), "extract", "--no-progress",
                "--manifest", manifest.toString(), image.toString(), dir.resolve("out").toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && System.nanoTime() < deadline && (!Files.exists(manifest) || Files.size(manifest) < 512 << 10)) {
            Thread.sleep(5);
        }
        boolean killedMidRun = p.isAlive();
        p.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        assertThat(killedMidRun).as("the run was still writing when killed: " + Files.readString(dir.resolve("child.err"))).isTrue();
        List<ManifestFile.Line> lines = ManifestFile.read(manifest); // fails on a line that is not one whole object
        assertThat(lines.size()).isGreaterThan(100);
        assertThat(lines.getFirst().type()).isEqualTo("header");
        assertThat(lines).noneMatch(l -> "summary".equals(l.type()));
        assertThat(lines.subList(1, lines.size())).allMatch(l -> "ok".equals(l.str("status")));
    }
}
