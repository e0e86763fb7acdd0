package io.vdetach.guestfs.ext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks a filesystem of many inodes (node, list, content map of every entry) and prints the
 * rate. 2,000 files by default (quick); {@code -Dvdetach.perf.files=100000} for the full measurement.
 */
class ExtPerfTest {
    @TempDir Path dir;

    @Test
    void walksManyInodesQuickly() throws Exception {
        Need.tools("mke2fs");
        int files = Integer.getInteger("vdetach.perf.files", 2_000);
        assumeTrue(files > 0);
        Path tree = dir.resolve("tree");
        byte[] small = "x".repeat(100).getBytes();
        for (int d = 0; d < files / 1000 + 1; d++) {
            Path sub = Files.createDirectories(tree.resolve("dir" + d));
            for (int i = 0; i < 1000 && d * 1000 + i < files; i++) Files.write(sub.resolve("file-with-a-longish-name-" + i), small);
        }
        Path img = dir.resolve("many.img");
        long t0 = System.nanoTime();
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-N", Integer.toString(files + 1000), "-d", tree.toString(), img.toString(),
                (files / 1000 * 5 + 64) + "M");
        long t1 = System.nanoTime();
        for (int round = 1; round <= 2; round++) try (HostFile h = HostFile.open(img)) {
            long start = System.nanoTime();
            GuestFilesystem fs = ExtFilesystem.open(h);
            ArrayDeque<Node> dirs = new ArrayDeque<>();
            dirs.add(fs.node(fs.rootId()));
            int n = 0;
            long bytes = 0;
            while (!dirs.isEmpty()) {
                for (DirEntry e : fs.list(dirs.pop())) {
                    Node node = fs.node(e.id());
                    n++;
                    if (node.isDirectory()) dirs.add(node);
                    else if (node.type() == io.vdetach.guestfs.EntryType.FILE) bytes += fs.content(node).map(0, node.size()).size();
                }
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("ext perf (round %d): %d entries walked (node+list+map) in %.3f s = %.0f entries/s (mke2fs -d took %.1f s)%n",
                    round, n, s, n / s, (t1 - t0) / 1e9);
            assertThat(n).isGreaterThanOrEqualTo(files);
            assertThat(bytes).isPositive();
        }
    }
}
