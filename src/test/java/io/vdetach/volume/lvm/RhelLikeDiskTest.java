package io.vdetach.volume.lvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.apply.ExtractOptions;
import io.vdetach.apply.Extractor;
import io.vdetach.apply.Report;
import io.vdetach.image.OpenOptions;
import io.vdetach.plan.ConflictPolicy;
import io.vdetach.plan.Mode;
import io.vdetach.plan.OpenedImage;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, the way a Red Hat family guest is laid out: MBR, one LVM partition, VG "rhel" with
 * "swap" (mkswap) and "root" (XFS, populated through a loop mount). The disk image sits on an XFS
 * host with reflink; extraction must share the root's blocks and equal the guest XFS's own mount.
 */
class RhelLikeDiskTest {
    @TempDir Path dir;

    @Test
    void extractRootFromLvmIntoXfsHost() throws Exception {
        Need.root();
        Need.tools("lvm", "sfdisk", "mkfs.xfs", "mkswap", "setfattr");
        try (ScratchHost host = ScratchHost.create(dir, "xfs", 1L << 30)) {
            Path disk = host.resolve("rhel.img");
            Sh.run("truncate", "-s", "200M", disk.toString());
            Sh.bash("printf 'label: dos\\n2048,,8e\\n' | sfdisk -q " + disk);
            long part = 1 << 20;
            long pe;
            long extent;
            try (LvmTool lvm = new LvmTool(dir)) {
                String l = lvm.attach(disk, part, 199L << 20);
                lvm.must("pvcreate", "-ff", "-y", l);
                lvm.must("vgcreate", "rhel", l);
                lvm.must("lvcreate", "--driverloaded", "n", "-an", "-Zn", "-Wn", "-L", "16M", "-n", "swap", "rhel");
                lvm.must("lvcreate", "--driverloaded", "n", "-an", "-Zn", "-Wn", "-L", "160M", "-n", "root", "rhel");
                pe = Long.parseLong(lvm.must("pvs", "--noheadings", "-o", "pe_start", "--units", "b", "--nosuffix").trim());
                extent = Long.parseLong(lvm.must("vgs", "--noheadings", "-o", "vg_extent_size", "--units", "b", "--nosuffix", "rhel").trim());
                assertThat(lvm.must("lvs", "--noheadings", "-o", "lv_name,seg_pe_ranges", "rhel")).containsPattern("root +\\S+:4-43");
            }
            Path root = io.vdetach.guestfs.xfs.XfsFixtureAccess.build(dir, "root.xfs", 160, "-m crc=1");
            Path swap = dir.resolve("swap.img");
            Sh.run("truncate", "-s", "16M", swap.toString());
            Sh.run("mkswap", "-q", swap.toString());
            Sh.run("dd", "if=" + swap, "of=" + disk, "bs=1M", "seek=" + (part + pe) / (1 << 20), "conv=notrunc", "status=none");
            Sh.run("dd", "if=" + root, "of=" + disk, "bs=1M", "seek=" + (part + pe + 4 * extent) / (1 << 20), "conv=notrunc",
                    "status=none");
            Sh.run("sync");

            TreeMap<String, EntryFacts> expected;
            try (LoopMount m = LoopMount.readOnly(root, 0, 0, "xfs", "")) {
                expected = HostTree.walk(m.path());
            }
            Path dest = host.resolve("out");
            Report report;
            ExtractOptions o = new ExtractOptions(Mode.AUTO, ConflictPolicy.FAIL, null, List.of(), List.of(), true, false,
                    io.vdetach.apply.Progress.NONE, ExtractOptions.DEFAULT_THREADS);
            try (OpenedImage image = OpenedImage.open(disk, OpenOptions.DEFAULT)) {
                assertThat(image.slots()).extracting(s -> s.volume().name()).containsExactly("rhel-swap", "rhel-root");
                report = Extractor.extract(image, dest, o);
            }
            assertThat(report.errors()).isEmpty();
            assertThat(Files.exists(dest.resolve("rhel-swap"))).isFalse();
            TreeAssert.assertSameTree(expected, HostTree.walk(dest.resolve("rhel-root")));
            System.out.printf("rhel-like disk: %d files, %d bytes, %d shared, %d copied, %d sparse%n",
                    report.counts().files(), report.counts().bytesTotal(), report.counts().bytesShared(),
                    report.counts().bytesCopied(), report.counts().bytesSparse());
            assertThat(report.counts().bytesShared()).isGreaterThan(report.counts().bytesCopied());
        }
    }
}
