package io.vdetach.volume.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.extent.Window;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LVM metadata written by the real lvm2 tools (no activation) on two partitions of one disk;
 * filesystem images written into the LVs where lvs says their extents are. Oracle: the bytes
 * of those filesystem images, and a loop mount of one of them.
 */
class LvmScannerTest {
    @TempDir static Path dir;
    static Path disk;
    static final long P1 = 1 << 20, P2 = 41 << 20, PSIZE = 40 << 20;
    static final Map<String, Path> FS = new HashMap<>();

    @BeforeAll
    static void build() throws Exception {
        Need.root();
        Need.tools("lvm", "sfdisk", "mke2fs", "losetup");
        disk = dir.resolve("disk.img");
        Sh.run("truncate", "-s", "96M", disk.toString());
        Sh.bash("printf 'label: dos\\n2048,81920,8e\\n83968,81920,8e\\n' | sfdisk -q " + disk);
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("hello.txt"), "hello from an LV\n");
        Files.createDirectories(tree.resolve("sub"));
        Sh.bash("{ seq 1 300000 || true; } | head -c 1500000 > " + tree.resolve("sub/numbers"));
        Map<String, String> devOffsets = new HashMap<>();
        try (LvmTool lvm = new LvmTool(dir)) {
            String l1 = lvm.attach(disk, P1, PSIZE);
            String l2 = lvm.attach(disk, P2, PSIZE);
            devOffsets.put(l1, Long.toString(P1));
            devOffsets.put(l2, Long.toString(P2));
            lvm.must("pvcreate", "-ff", "-y", l1, l2);
            lvm.must("vgcreate", "-s", "1M", "vg0", l1, l2);
            String[] noAct = {"--driverloaded", "n", "-an", "-Zn", "-Wn"};
            lvm.must(cat(new String[] {"lvcreate", "-L", "8M", "-n", "lva", "vg0", l1}, noAct));
            lvm.must(cat(new String[] {"lvcreate", "-L", "3M", "-n", "lvb", "vg0", l1}, noAct));
            lvm.must(cat(new String[] {"lvcreate", "-L", "2M", "-n", "gap", "vg0", l1}, noAct));
            lvm.must("lvextend", "--driverloaded", "n", "-L", "6M", "vg0/lvb", l1);
            lvm.must(cat(new String[] {"lvcreate", "-i", "2", "-I", "64k", "-L", "16M", "-n", "striped", "vg0"}, noAct));
            long extent = Long.parseLong(lvm.must("vgs", "--noheadings", "-o", "vg_extent_size", "--units", "b", "--nosuffix", "vg0").trim());
            Map<String, Long> peStart = new HashMap<>();
            for (String line : lvm.must("pvs", "--noheadings", "--separator", ";", "-o", "pv_name,pe_start", "--units", "b", "--nosuffix").trim().split("\n")) {
                String[] f = line.trim().split(";");
                peStart.put(f[0], Long.parseLong(f[1]));
            }
            String segs = lvm.must("lvs", "--noheadings", "--separator", ";", "-o", "lv_name,seg_start_pe,seg_pe_ranges,stripes,stripe_size,seg_size_pe",
                    "--units", "b", "--nosuffix", "vg0");
            for (String lv : List.of("lva", "lvb", "striped")) {
                long size = Long.parseLong(lvm.must("lvs", "--noheadings", "-o", "lv_size", "--units", "b", "--nosuffix", "vg0/" + lv).trim());
                Path img = dir.resolve(lv + ".ext4");
                Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-L", lv, "-d", tree.toString(), img.toString(), (size / 1024) + "k");
                assertThat(Files.size(img)).isEqualTo(size);
                FS.put(lv, img);
                writeLv(lv, segs, extent, peStart, devOffsets, img);
            }
        }
    }

    /** Writes the image into the LV's extents as lvs reports them (dm-stripe chunk order). */
    private static void writeLv(String lv, String segs, long extent, Map<String, Long> peStart, Map<String, String> devOffsets,
                                Path img) throws Exception {
        byte[] data = Files.readAllBytes(img);
        try (RandomAccessFile out = new RandomAccessFile(disk.toFile(), "rw")) {
            for (String line : segs.trim().split("\n")) {
                String[] f = line.trim().split(";");
                if (!f[0].equals(lv)) continue;
                long segStart = Long.parseLong(f[1]) * extent;
                String[] ranges = f[2].trim().split(" ");
                int n = Integer.parseInt(f[3]);
                long segLen = Long.parseLong(f[5]) * extent;
                long chunk = n == 1 ? segLen : Long.parseLong(f[4]);
                long[] areaDisk = new long[n];
                for (int i = 0; i < n; i++) {
                    String dev = ranges[i].substring(0, ranges[i].indexOf(':'));
                    long firstPe = Long.parseLong(ranges[i].substring(ranges[i].indexOf(':') + 1, ranges[i].indexOf('-')));
                    areaDisk[i] = Long.parseLong(devOffsets.get(dev)) + peStart.get(dev) + firstPe * extent;
                }
                for (long x = 0; x < segLen; x += chunk) {
                    long c = x / chunk;
                    out.seek(areaDisk[(int) (c % n)] + (c / n) * chunk);
                    out.write(data, (int) (segStart + x), (int) chunk);
                }
            }
        }
    }

    private static String[] cat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void logicalVolumesReplaceTheirPhysicalVolumes() throws Exception {
        try (HostFile f = HostFile.open(disk)) {
            List<Volume> v = VolumeScanner.scan(f);
            assertThat(v).extracting(Volume::name).containsExactly("vg0-lva", "vg0-lvb", "vg0-gap", "vg0-striped");
            assertThat(v).extracting(Volume::scheme).containsOnly("lvm");
            assertThat(v).extracting(Volume::label).containsExactly("lva", "lvb", "gap", "striped");
            assertThat(v.get(0).type()).isEqualTo("LVM linear");
            assertThat(v.get(3).type()).isEqualTo("LVM striped (2 stripes)");
            for (String lv : List.of("lva", "lvb", "striped")) {
                Volume vol = v.stream().filter(x -> x.label().equals(lv)).findFirst().orElseThrow();
                assertThat(vol.size()).isEqualTo(Files.size(FS.get(lv)));
                assertThat(GuestTree.sha256(vol.layer())).as(lv).isEqualTo(HostTree.sha256(FS.get(lv)));
                for (Run r : vol.layer().map(0, vol.size())) {
                    assertThat(r).isInstanceOf(Run.Mapped.class);
                    assertThat(((Run.Mapped) r).target()).isInstanceOf(Window.class);
                }
            }
            assertThat(v.get(0).start()).isEqualTo(P1 + (1 << 20)); // pe_start is 1 MiB
        }
    }

    @Test
    void stripedMapAlternatesBetweenThePvs() throws Exception {
        try (HostFile f = HostFile.open(disk)) {
            Volume s = VolumeScanner.scan(f).get(3);
            List<Run> runs = s.layer().map(0, 256 << 10);
            assertThat(runs).hasSize(4);
            assertThat(((Run.Mapped) runs.get(0)).target()).isNotSameAs(((Run.Mapped) runs.get(1)).target());
            assertThat(((Run.Mapped) runs.get(0)).target()).isSameAs(((Run.Mapped) runs.get(2)).target());
        }
    }

    @Test
    void aMissingPvLeavesItsLvsUnreadable() throws Exception {
        try (HostFile f = HostFile.open(disk)) {
            List<Volume> parts = new java.util.ArrayList<>(List.of(
                    new Volume("p1", "mbr", P1, PSIZE, "0x8e Linux LVM", "", new Window(f, P1, PSIZE, "p1"))));
            List<Volume> v = LvmScanner.expand(parts);
            assertThat(v).extracting(Volume::name).containsExactly("vg0-lva", "vg0-lvb", "vg0-gap", "vg0-striped");
            assertThat(v.get(0).size()).isEqualTo(8 << 20);
            assertThat(v.get(3).size()).isZero();
            assertThat(v.get(3).type()).contains("not readable").contains("missing");
        }
    }

    @Test
    void oracleMountOfTheLvsFilesystemImage() throws Exception {
        Need.tools("mount");
        try (var m = io.vdetach.testkit.LoopMount.readOnly(FS.get("striped"), 0, 0, "ext4", "")) {
            assertThat(Files.readString(m.path().resolve("hello.txt"))).isEqualTo("hello from an LV\n");
        }
    }

    /**
     * Thin pools, thin LVs and snapshots cannot be created here without device-mapper, so their
     * metadata is added to the tools' own vgcfgbackup text and written back with vgcfgrestore --force
     * (the lvm2 tools validate and write it).
     */
    @Test
    void thinPoolsThinVolumesAndSnapshotsAreListedAsNotSupported() throws Exception {
        Path d = dir.resolve("thin.img");
        Sh.run("truncate", "-s", "48M", d.toString());
        try (LvmTool lvm = new LvmTool(dir.resolve("thin"))) {
            String l1 = lvm.attach(d, 0, 48 << 20);
            lvm.must("pvcreate", "-ff", "-y", l1);
            lvm.must("vgcreate", "-s", "1M", "vgt", l1);
            lvm.must("lvcreate", "--driverloaded", "n", "-an", "-Zn", "-Wn", "-L", "8M", "-n", "base", "vgt");
            Path backup = dir.resolve("vgt.txt");
            lvm.must("vgcfgbackup", "-f", backup.toString(), "vgt");
            String text = Files.readString(backup);
            int end = text.lastIndexOf("\t}\n\n}");
            text = text.substring(0, end) + EXTRA_LVS + text.substring(end);
            Files.writeString(backup, text);
            lvm.must("vgcfgrestore", "--force", "-f", backup.toString(), "vgt");
            String lvs = lvm.must("lvs", "-a", "--noheadings", "-o", "lv_name,segtype,origin", "vgt");
            assertThat(lvs).contains("thin-pool").contains("thin").containsPattern("snap +linear +base"); // lvm: snap is a snapshot of base
        }
        try (HostFile f = HostFile.open(d)) {
            List<Volume> v = VolumeScanner.scan(f);
            Map<String, String> types = new java.util.LinkedHashMap<>();
            for (Volume x : v) types.put(x.name(), x.type());
            assertThat(types).containsEntry("vgt-base", "LVM linear")
                    .containsEntry("vgt-pool", "LVM thin-pool (not supported)")
                    .containsEntry("vgt-thin1", "LVM thin (not supported)")
                    .containsEntry("vgt-snap", "LVM snapshot (not supported)")
                    .doesNotContainKeys("vgt-pool_tdata", "vgt-pool_tmeta", "vgt-lvol0_pmspare", "vgt-snapshot0");
            for (Volume x : v) {
                if (!x.type().contains("not supported")) continue;
                assertThat(x.layer().size()).isZero();
                assertThat(io.vdetach.guestfs.FilesystemProbe.probe(x.layer()))
                        .isEqualTo(new io.vdetach.guestfs.Probed.NotExtracted("no data", "the volume maps no bytes (its type says why)"));
            }
        }
    }

    private static String lv(String name, boolean visible, String segment) {
        return "\t\t" + name + " {\n\t\t\tid = \"" + uuid(name)
                + "\"\n\t\t\tstatus = [\"READ\", \"WRITE\"" + (visible ? ", \"VISIBLE\"" : "") + "]\n\t\t\tflags = []\n"
                + "\t\t\tsegment_count = 1\n\t\t\tsegment1 {\n" + segment + "\t\t\t}\n\t\t}\n";
    }

    /** An LVM id: 32 alphanumerics in groups 6-4-4-4-4-4-6. */
    private static String uuid(String name) {
        String raw = (name.replace("_", "x") + "00000000000000000000000000000000").substring(0, 32);
        return raw.substring(0, 6) + "-" + raw.substring(6, 10) + "-" + raw.substring(10, 14) + "-" + raw.substring(14, 18)
                + "-" + raw.substring(18, 22) + "-" + raw.substring(22, 26) + "-" + raw.substring(26);
    }

    private static String linear(int count, int pe) {
        return "start_extent = 0\nextent_count = " + count + "\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", " + pe + "]\n";
    }

    static final String EXTRA_LVS = lv("pool", true, "start_extent = 0\nextent_count = 8\ntype = \"thin-pool\"\n"
            + "metadata = \"pool_tmeta\"\npool = \"pool_tdata\"\ntransaction_id = 1\nchunk_size = 128\n"
            + "discards = \"passdown\"\nzero_new_blocks = 1\n")
            + lv("thin1", true, "start_extent = 0\nextent_count = 16\ntype = \"thin\"\nthin_pool = \"pool\"\n"
            + "transaction_id = 0\ndevice_id = 1\n")
            + lv("pool_tmeta", false, linear(1, 8))
            + lv("pool_tdata", false, linear(8, 9))
            + lv("lvol0_pmspare", false, linear(1, 17))
            + lv("snap", true, linear(4, 18))
            + lv("snapshot0", false, "start_extent = 0\nextent_count = 8\ntype = \"snapshot\"\nchunk_size = 8\n"
            + "origin = \"base\"\ncow_store = \"snap\"\n");

    @Test
    void randomMetadataDamageNeverEscapesAsAnotherException() throws Exception {
        try (HostFile f = HostFile.open(disk)) {
            io.vdetach.testkit.MutatingLayer m = new io.vdetach.testkit.MutatingLayer(f);
            VolumeScanner.scan(m);
            java.util.Random rnd = new java.util.Random(5);
            int bad = 0;
            for (int i = 0; i < 1000; i++) {
                var patches = m.mutate(rnd, 8);
                try {
                    for (Volume v : VolumeScanner.scan(m)) v.layer().map(0, v.size());
                } catch (io.vdetach.error.VdetachException e) {
                    bad++;
                } catch (Throwable t) {
                    throw new AssertionError("iteration " + i + " patches " + patches + ": " + t, t);
                }
            }
            assertThat(bad).isPositive();
        }
    }

    @Test
    void aDamagedFirstMetadataCopyFallsBackToTheSecond() throws Exception {
        Path d = dir.resolve("two-mda.img");
        Sh.run("truncate", "-s", "32M", d.toString());
        try (LvmTool lvm = new LvmTool(dir.resolve("mda2"))) {
            String l1 = lvm.attach(d, 0, 32 << 20);
            lvm.must("pvcreate", "-ff", "-y", "--metadatacopies", "2", l1);
            lvm.must("vgcreate", "-s", "1M", "vgm", l1);
            lvm.must("lvcreate", "--driverloaded", "n", "-an", "-Zn", "-Wn", "-L", "4M", "-n", "data", "vgm");
        }
        long text = findText(d, 0, "vgm {");
        try (RandomAccessFile r = new RandomAccessFile(d.toFile(), "rw")) {
            r.seek(text + 3);
            r.write("}}}".getBytes());
        }
        try (HostFile f = HostFile.open(d)) {
            assertThat(VolumeScanner.scan(f)).extracting(Volume::name).containsExactly("vgm-data");
        }
    }

    /** A PV made with --metadatacopies 0 holds no metadata; its VG is known from the other PV. */
    @Test
    void aPvWithoutMetadataIsPlacedByTheOtherPvsMetadata() throws Exception {
        Need.tools("sgdisk");
        Path d = dir.resolve("gpt-lvm.img");
        Sh.run("truncate", "-s", "48M", d.toString());
        Sh.run("sgdisk", "-n", "1:2048:+20M", "-t", "1:8e00", "-n", "2:0:+20M", "-t", "2:8e00", d.toString());
        try (LvmTool lvm = new LvmTool(dir.resolve("nomda"))) {
            String l1 = lvm.attach(d, 1 << 20, 20 << 20);
            String l2 = lvm.attach(d, 21 << 20, 20 << 20);
            lvm.must("pvcreate", "-ff", "-y", "--metadatacopies", "0", l1);
            lvm.must("pvcreate", "-ff", "-y", l2);
            lvm.must("vgcreate", "-s", "1M", "vgn", l1, l2);
            lvm.must("lvcreate", "--driverloaded", "n", "-an", "-Zn", "-Wn", "-i", "2", "-I", "128k", "-L", "8M", "-n", "s", "vgn");
        }
        try (HostFile f = HostFile.open(d)) {
            List<Volume> v = VolumeScanner.scan(f);
            assertThat(v).extracting(Volume::name).containsExactly("vgn-s");
            assertThat(v.get(0).type()).isEqualTo("LVM striped (2 stripes)");
            assertThat(v.get(0).size()).isEqualTo(8 << 20);
            List<Run> runs = v.get(0).layer().map(0, 256 << 10);
            assertThat(runs).hasSize(2);
            assertThat(((Window) ((Run.Mapped) runs.get(0)).target()).describe()).isEqualTo("p1");
            assertThat(((Window) ((Run.Mapped) runs.get(1)).target()).describe()).isEqualTo("p2");
        }
    }

    @Test
    void nonLvmVolumesPassThroughUntouched() throws Exception {
        Path plain = dir.resolve("plain.img");
        Sh.run("truncate", "-s", "8M", plain.toString());
        try (HostFile f = HostFile.open(plain)) {
            Volume a = new Volume("p1", "mbr", 0, 4 << 20, "x", "", new Window(f, 0, 4 << 20, "p1"));
            Volume b = new Volume("p2", "mbr", 4 << 20, 4 << 20, "y", "", new Window(f, 4 << 20, 4 << 20, "p2"));
            assertThat(LvmScanner.expand(List.of(a, b))).containsExactly(a, b);
        }
    }

    @Test
    void corruptMetadataTextIsReportedWithItsOffset() throws Exception {
        Path copy = dir.resolve("bad.img");
        Files.copy(disk, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // the first metadata area follows the label at 4 KiB of each PV; its text starts after the 512-byte header
        long text = findText(copy, P1, "vg0 {");
        try (RandomAccessFile r = new RandomAccessFile(copy.toFile(), "rw")) {
            r.seek(text + 10);
            r.write("{{{{ \"".getBytes());
        }
        try (HostFile f = HostFile.open(copy)) {
            List<Volume> parts = List.of(new Volume("p1", "mbr", P1, PSIZE, "", "", new Window(f, P1, PSIZE, "p1")));
            assertThatThrownBy(() -> LvmScanner.expand(parts)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("lvm").hasMessageContaining("metadata text")
                    .satisfies(e -> assertThat(((CorruptImageException) e).offset()).isEqualTo(text)); // a disk offset
        }
    }

    /** The first copy of the current metadata text (the one lvm wrote last in the first area). */
    private static long findText(Path img, long pvStart, String vgStart) throws Exception {
        byte[] b = new byte[1 << 20];
        try (RandomAccessFile r = new RandomAccessFile(img.toFile(), "r")) {
            r.seek(pvStart);
            r.readFully(b);
        }
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        int i = s.lastIndexOf(vgStart);
        assertThat(i).isPositive();
        return pvStart + i;
    }
}
