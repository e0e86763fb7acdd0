package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.CliProcess;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 5: a 128 MiB ext4 (debugfs made it) with 2,000 nested directories of 255-byte
 * names and 8,000 directories at the bottom. Extraction held every directory's host path and
 * display string until the end (over 1 GiB: it died of OutOfMemoryError with -Xmx1g); now each
 * directory's state goes when it is finished and extract and verify run in a 128 MiB heap. A heap
 * too small for anything ends in one line naming the phase, exit 3, no stack trace.
 */
@Timeout(300)
class DeepTreeTest {
    @TempDir Path dir;
    private Path dest;

    @AfterEach
    void removeDeepTree() {
        // paths of 500 KB: the JDK's recursive delete cannot, rm (openat-based) can
        if (dest != null) Sh.run("rm", "-rf", dest.toString());
    }

    private Path deepImage() throws Exception {
        Need.tools("mke2fs", "debugfs");
        Path img = dir.resolve("deep.ext4");
        Sh.run("truncate", "-s", "128M", img.toString());
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-N", "20000", img.toString());
        StringBuilder cmds = new StringBuilder();
        String pad = "x".repeat(250);
        for (int i = 0; i < 2000; i++) {
            String name = String.format("%05d", i) + pad;
            cmds.append("mkdir ").append(name).append("\ncd ").append(name).append('\n');
        }
        for (int j = 0; j < 8000; j++) cmds.append(String.format("mkdir b%05d%n", j));
        Path script = dir.resolve("cmds");
        Files.writeString(script, cmds);
        Sh.run("debugfs", "-w", "-f", script.toString(), img.toString());
        return img;
    }

    @Test
    void extractAndVerifyADeepWideTreeInA128MiBHeap() throws Exception {
        Path img = deepImage();
        dest = dir.resolve("out");
        Sh.Result r = CliProcess.run("128m", "extract", "--json", img.toString(), dest.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("\"directories\": 10001");
        Sh.Result v = CliProcess.run("128m", "verify", img.toString(), dest.toString());
        assertThat(v.exit()).as(v.out() + v.err()).isZero();
        assertThat(v.out()).contains("verified 10002 entries", "all equal");
    }

    @Test
    void aHeapTooSmallEndsInOneLineNamingThePhase() throws Exception {
        Path img = deepImage();
        Sh.Result r = CliProcess.run("10m", "plan", img.toString(), dir.resolve("plan").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.err()).startsWith("vdetach: error: the image makes vdetach hold more than its memory (while ")
                .doesNotContain("\tat ", "Exception in thread");
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(Cli.run("ls", "--volumes-only", img.toString()).exit()).isZero();
    }
}
