package io.vdetach.guestfs.fat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.extent.Window;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Path;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers behind docs/formats.md (FAT section): mkfs.vfat on a partition at 1 MiB, populated with the
 * fixture tree by mtools, then per layout the share of file bytes that lie in whole 4 KiB blocks
 * at 4 KiB-aligned disk offsets (what a 4 KiB-block host can clone). Prints one line per layout.
 */
class FatAlignmentReportTest {
    @TempDir Path dir;

    @Test
    void shareableFractionPerLayout() throws Exception {
        Need.tools("mkfs.vfat", "mcopy");
        Path src = dir.resolve("src");
        FatFixtures.sourceTree(src, 3 << 20);
        String[][] layouts = {
            {"16", "64", ""}, {"16", "256", ""}, {"32", "64", ""}, {"32", "260", ""}, {"32", "260", "-a"},
        };
        for (String[] l : layouts) {
            Path img = dir.resolve("disk" + l[0] + l[1] + l[2] + ".img");
            Sh.run("truncate", "-s", (Integer.parseInt(l[1]) + 2) + "M", img.toString());
            java.util.List<String> cmd = Sh.list("mkfs.vfat", "-F", l[0], "--offset", "2048");
            if (!l[2].isEmpty()) cmd.add(l[2]);
            cmd.addAll(java.util.List.of(img.toString(), Integer.toString(Integer.parseInt(l[1]) * 1024)));
            Sh.run(cmd.toArray(String[]::new));
            FatFixtures.mcopyIn(Path.of(img + "@@1M"), src);
            try (HostFile f = HostFile.open(img)) {
                Window part = new Window(f, 1 << 20, (long) Integer.parseInt(l[1]) << 20, "p1");
                FatFilesystem fs = FatFilesystem.open(part, ZoneOffset.UTC, BlockCache.withDefaultBudget());
                long[] sums = new long[4];
                walk(fs, fs.node(fs.rootId()), sums);
                long diskData = (1 << 20) + fs.dataStart();
                System.out.printf("FAT%s %s MiB %s: cluster %d B, dataStart %d (disk %d, mod 4096 = %d): "
                                + "%d of %d file bytes shareable (%.1f%%); %d of %d files of 4 KiB or more start aligned%n", l[0], l[1], l[2],
                        fs.blockSize(), fs.dataStart(), diskData, diskData % 4096, sums[0], sums[1], 100.0 * sums[0] / sums[1],
                        sums[2], sums[3]);
                assertThat(sums[1]).isPositive();
            }
        }
    }

    private static void walk(FatFilesystem fs, Node d, long[] sums) throws Exception {
        for (DirEntry e : fs.list(d)) {
            Node n = fs.node(e.id());
            if (n.isDirectory()) {
                walk(fs, n, sums);
                continue;
            }
            sums[1] += n.size();
            if (n.size() >= 4096) {
                sums[3]++;
                Run.Mapped first = (Run.Mapped) fs.content(n).map(0, 1).get(0);
                if ((first.offset() + (1 << 20)) % 4096 == 0) sums[2]++;
            }
            for (Run r : fs.content(n).map(0, n.size())) {
                Run.Mapped m = (Run.Mapped) r;
                long disk = m.offset() + (1 << 20); // the partition starts at 1 MiB
                // a 4 KiB block of the file is shareable when it is whole and its disk offset is aligned
                if ((disk - m.start()) % 4096 != 0) continue;
                long first = (m.start() + 4095) / 4096 * 4096;
                long end = m.end() / 4096 * 4096;
                if (end > first) sums[0] += end - first;
            }
        }
    }
}
