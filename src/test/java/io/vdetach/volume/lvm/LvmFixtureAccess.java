package io.vdetach.volume.lvm;

import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Lets tests of other packages build an LVM disk with the real lvm2 tools (through {@link LvmTool}). */
public final class LvmFixtureAccess {
    private LvmFixtureAccess() {}

    /**
     * An MBR disk whose one partition (type 8e, at 1 MiB) is a PV of VG "vg" with two linear LVs:
     * "data" (ext4 made from {@code tree}) and "logs" (ext2, the same tree); volumes "vg-data" and
     * "vg-logs". Needs root, lvm, sfdisk, mke2fs.
     */
    public static ExtFixture.Disk mbrLvmExt4(Path dir, Path tree) throws Exception {
        Path disk = dir.resolve("lvm.img");
        long part = 1 << 20;
        Sh.run("truncate", "-s", "112M", disk.toString());
        Sh.bash("printf 'label: dos\\n2048,,8e\\n' | sfdisk -q " + disk);
        long pe, extent;
        List<String> ranges = new ArrayList<>();
        try (LvmTool lvm = new LvmTool(dir)) {
            String l = lvm.attach(disk, part, 111L << 20);
            lvm.must("pvcreate", "-ff", "-y", l);
            lvm.must("vgcreate", "vg", l);
            lvm.must("lvcreate", "--driverloaded", "n", "-an", "-Zn", "-Wn", "-L", "48M", "-n", "data", "vg");
            lvm.must("lvcreate", "--driverloaded", "n", "-an", "-Zn", "-Wn", "-L", "40M", "-n", "logs", "vg");
            pe = Long.parseLong(lvm.must("pvs", "--noheadings", "-o", "pe_start", "--units", "b", "--nosuffix").trim());
            extent = Long.parseLong(lvm.must("vgs", "--noheadings", "-o", "vg_extent_size", "--units", "b", "--nosuffix", "vg").trim());
            for (String line : lvm.must("lvs", "--noheadings", "-o", "lv_name,seg_pe_ranges", "vg").strip().split("\n")) {
                ranges.add(line.strip());
            }
        }
        List<ExtFixture.Part> parts = new ArrayList<>();
        String[][] lvs = {{"data", "ext4", "48"}, {"logs", "ext2", "40"}};
        for (String[] lv : lvs) {
            String range = ranges.stream().filter(r -> r.startsWith(lv[0] + " ")).findFirst().orElseThrow();
            long first = Long.parseLong(range.replaceAll(".*:(\\d+)-\\d+$", "$1"));
            long size = Long.parseLong(lv[2]) << 20;
            long offset = part + pe + first * extent;
            Path fs = ExtFixture.mkfs(dir.resolve(lv[0] + ".fs"), size, tree, lv[1], lv[0]);
            ExtFixture.place(fs, disk, offset);
            Files.delete(fs);
            parts.add(new ExtFixture.Part("vg-" + lv[0], offset, size, lv[1]));
        }
        return new ExtFixture.Disk(disk, parts);
    }
}
