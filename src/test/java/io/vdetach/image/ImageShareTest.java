package io.vdetach.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.DiskFixture;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.ScratchHost;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The share ratio of docs/formats.md measured end to end: the same ext4 fixture as qcow2 and
 * VMDK subformats, each extracted onto an XFS host (reflink) with {@code vdetach extract}; the
 * tree equals the kernel's mount of the raw disk, and the JSON says how many bytes were shared.
 */
class ImageShareTest {

    private static long key(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
        assertThat(m.find()).as(key + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void qcow2AndVmdkSubformatsExtractedOntoXfs() throws Exception {
        Need.root();
        Need.tools("qemu-img", "mkfs.xfs");
        Path raw = DiskFixture.raw();
        TreeMap<String, EntryFacts> oracle;
        try (LoopMount m = LoopMount.readOnly(raw, 1L << 20, 48L << 20, "ext4", "")) {
            oracle = HostTree.walk(m.path(), "lost+found");
        }
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "vdetach-imgshare");
        try (ScratchHost host = ScratchHost.create(work, "xfs", 600L << 20)) {
            List<String[]> variants = List.of(
                    new String[] {"raw", "raw", ""},
                    new String[] {"qcow2 (64 KiB clusters)", "qcow2", ""},
                    new String[] {"qcow2 cluster_size=512", "qcow2", "-o|cluster_size=512"},
                    new String[] {"qcow2 -c", "qcow2", "-c"},
                    new String[] {"vmdk monolithicSparse", "vmdk", ""},
                    new String[] {"vmdk streamOptimized", "vmdk", "-o|subformat=streamOptimized"});
            int i = 0;
            for (String[] v : variants) {
                Path img = host.resolve("img" + i + "." + v[1]);
                List<String> cmd = new java.util.ArrayList<>(List.of("qemu-img", "convert", "-O", v[1]));
                if (!v[2].isEmpty()) cmd.addAll(List.of(v[2].split("\\|")));
                cmd.addAll(List.of(raw.toString(), img.toString()));
                Sh.run(cmd.toArray(String[]::new));
                Path dest = host.resolve("out" + i++);
                Cli.Run r = Cli.run("extract", "--no-progress", "--json", img.toString(), dest.toString());
                assertThat(r.exit()).as(v[0] + ": " + r.out() + r.err()).isZero();
                TreeAssert.assertSameTree(oracle, HostTree.walk(dest.resolve("p1"), "lost+found"));
                long total = key(r.out(), "bytes_total");
                long shared = key(r.out(), "bytes_shared");
                System.out.printf("EXTRACT-SHARE %s: %d of %d file bytes shared (%.4f), %d materialised, %d copied%n",
                        v[0], shared, total, (double) shared / total, key(r.out(), "bytes_materialised"),
                        key(r.out(), "bytes_copied"));
                Sh.run("rm", "-rf", dest.toString(), img.toString());
            }
        } finally {
            Sh.exec(null, "rm", "-rf", work.toString());
        }
    }
}
