package io.vdetach.guestfs.fat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.Probed;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FAT12/16/32 images made by mkfs.vfat and populated by mtools; the oracle is mtools reading the
 * same image back in UTC, compared by path, type, size, SHA-256 and mtime. Modes and owners are
 * not compared with mtools (it writes what the host's umask gives); they are checked against the
 * vfat rule separately, and against a kernel vfat mount when this kernel has one.
 */
class FatFilesystemTest {
    @TempDir Path dir;

    @Test
    void fat12Floppy() throws Exception {
        check("fat12", 1440, 200_000, "FAT12", 512);
    }

    @Test
    void fat16() throws Exception {
        check("fat16", 32 * 1024, 3 << 20, "FAT16", 2048, "-F", "16");
    }

    @Test
    void fat32With512ByteClusters() throws Exception {
        check("fat32s1", 40 * 1024, 3 << 20, "FAT32", 512, "-F", "32", "-s", "1");
    }

    @Test
    void fat32With4KiBClusters() throws Exception {
        check("fat32s8", 300 * 1024, 3 << 20, "FAT32", 4096, "-F", "32", "-s", "8");
    }

    /**
     * mkfs.vfat -F 32 on 32 MiB makes FAT32 with fewer than 65,525 clusters (it only warns). mtools
     * refuses such a volume ("Error reading FAT", it follows the spec's rule) and this kernel has
     * no vfat, so nothing can populate it here: only the empty volume is read, as Linux would.
     */
    @Test
    void fat32BelowTheSpecsClusterMinimumAsMkfsVfatMakesIt() throws Exception {
        Need.tools("mkfs.vfat");
        Path img = dir.resolve("small32.img");
        Sh.run("mkfs.vfat", "-F", "32", "-n", "SMALL", "-C", img.toString(), "32768");
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            assertThat(fs.fatType()).isEqualTo("FAT32");
            assertThat(fs.label()).isEqualTo("SMALL");
            assertThat(fs.warnings()).singleElement().asString().contains("65,525");
            assertThat(fs.list(fs.node(fs.rootId()))).isEmpty();
        }
    }

    @Test
    void fat32With4KiBSectors() throws Exception {
        check("fat32s4k", 400_000, 3 << 20, "FAT32", 4096, "-F", "32", "-S", "4096");
    }

    private void check(String name, int kib, int big, String fatType, int cluster, String... mkfs) throws Exception {
        Need.tools("mkfs.vfat", "mcopy");
        Path src = dir.resolve("src");
        FatFixtures.sourceTree(src, big);
        Path img = dir.resolve(name + ".img");
        String[] args = new String[mkfs.length + 2];
        System.arraycopy(mkfs, 0, args, 0, mkfs.length);
        args[mkfs.length] = "-n";
        args[mkfs.length + 1] = "VDETACH";
        FatFixtures.build(img, kib, src, args);
        Sh.run("mattrib", "-i", img.toString(), "+r", "::/noext");
        // free every other small file, then copy a file that must fill those gaps: a fragmented chain
        java.util.List<String> del = Sh.list("mdel", "-i", img.toString());
        for (int i = 1; i < 150; i += 2) del.add("::/many/entry number " + i + ".txt");
        Sh.run(del.toArray(String[]::new));
        Path frag = dir.resolve("fragmented.bin");
        byte[] fb = new byte[120_000];
        new java.util.Random(3).nextBytes(fb);
        java.nio.file.Files.write(frag, fb);
        restartAllocationHint(img);
        Sh.run("mcopy", "-i", img.toString(), frag.toString(), "::/many/");
        Path out = dir.resolve("out");
        FatFixtures.mcopyOut(img, out);
        TreeMap<String, EntryFacts> expected = TreeAssert.ignoring(HostTree.walk(out), true, true, false, true);
        expected.remove(".");
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            assertThat(fs.fatType()).isEqualTo(fatType);
            assertThat(fs.blockSize()).isEqualTo(cluster);
            assertThat(fs.label()).isEqualTo("VDETACH");
            assertThat(fs.warnings()).isEmpty();
            TreeMap<String, EntryFacts> guest = GuestTree.walk(fs);
            TreeMap<String, EntryFacts> actual = TreeAssert.ignoring(guest, true, true, false, true);
            actual.remove(".");
            TreeAssert.assertSameTree(expected, actual);
            // the mode rule of a default vfat mount: 0755 everywhere, the read-only attribute drops write bits
            guest.forEach((p, e) -> {
                assertThat(e.mode()).as(p).isEqualTo(p.equals("noext") ? 0555 : 0755);
                assertThat(e.uid() + e.gid()).as(p).isZero();
            });
            for (String p : java.util.List.of("lower/readme.txt", "upper/README.TXT", "mixed/Readme.txt", "lowbase.TXT",
                    "UPBASE.txt", "MAKEFILE", "Ünïcödé dir/日本語/ファイル.txt", "Ünïcödé dir/Ελληνικά ñ.txt")) {
                assertThat(guest.containsKey(p)).as(p).isTrue();
            }
            assertThat(FilesystemProbe.probe(f)).isInstanceOf(Probed.Readable.class);
            checkRunsAreClusters(fs, f);
            var many = FatCorpusTest.child(fs, fs.node(fs.rootId()), "many");
            var fragNode = FatCorpusTest.child(fs, many, "fragmented.bin");
            assertThat(fs.content(fragNode).map(0, fragNode.size())).as("fragmented chain").hasSizeGreaterThan(1);
            timesAsTheSleuthKitReadsThem(img, fs);
            kernelMount(img, fs);
        }
    }

    /** FAT32 keeps a next-free-cluster hint in FSInfo (offset 492); set it to 2 so mtools fills the freed gaps. */
    private static void restartAllocationHint(Path img) throws Exception {
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            r.readFully(b.array());
            if ((b.getShort(22) & 0xffff) != 0) return; // FAT12/16: no FSInfo, mtools searches from the start
            long at = (long) (b.getShort(48) & 0xffff) * (b.getShort(11) & 0xffff) + 492;
            r.seek(at);
            r.write(new byte[] {2, 0, 0, 0});
        }
    }

    /**
     * A third, independent reader for the times mtools does not show: The Sleuth Kit's body file
     * ({@code fls -r -m / -z UTC}) gives atime (a date), mtime and crtime in seconds for every entry.
     */
    private static void timesAsTheSleuthKitReadsThem(Path img, FatFilesystem fs) throws Exception {
        if (!Sh.has("fls")) {
            System.out.println("SKIP TSK time comparison: fls (sleuthkit) missing");
            return;
        }
        java.util.Map<String, io.vdetach.guestfs.Node> ours = new java.util.TreeMap<>();
        nodes(fs, fs.node(fs.rootId()), "", ours);
        int compared = 0;
        for (String line : Sh.run("fls", "-r", "-m", "/", "-z", "UTC", img.toString()).split("\n")) {
            String[] c = line.split("\\|");
            if (c.length < 11 || c[1].startsWith("/$") || c[1].endsWith("(Volume Label Entry)")
                    || c[1].endsWith("(deleted)")) continue;
            var n = ours.get(c[1].substring(1));
            assertThat(n).as("TSK lists " + c[1]).isNotNull();
            assertThat(n.atime().getEpochSecond()).as("atime " + c[1]).isEqualTo(Long.parseLong(c[7]));
            assertThat(n.mtime().getEpochSecond()).as("mtime " + c[1]).isEqualTo(Long.parseLong(c[8]));
            assertThat(n.btime().getEpochSecond()).as("crtime " + c[1]).isEqualTo(Long.parseLong(c[10]));
            compared++;
        }
        assertThat(compared).isEqualTo(ours.size());
    }

    private static void nodes(FatFilesystem fs, io.vdetach.guestfs.Node d, String prefix,
                              java.util.Map<String, io.vdetach.guestfs.Node> out) throws Exception {
        for (var e : fs.list(d)) {
            String p = prefix + new String(e.name(), java.nio.charset.StandardCharsets.UTF_8);
            var n = fs.node(e.id());
            out.put(p, n);
            if (n.isDirectory()) nodes(fs, n, p + "/", out);
        }
    }

    /** Every data run lands on a cluster boundary of the data region, inside the volume. */
    private static void checkRunsAreClusters(FatFilesystem fs, HostFile f) throws Exception {
        var root = fs.node(fs.rootId());
        for (var e : fs.list(root)) {
            var n = fs.node(e.id());
            if (n.isDirectory()) continue;
            for (Run r : fs.content(n).map(0, n.size())) {
                Run.Mapped m = (Run.Mapped) r;
                assertThat(m.target()).isSameAs(f);
                assertThat((m.offset() - fs.dataStart()) % fs.blockSize()).isZero();
            }
        }
    }

    /** The second oracle, when this kernel has vfat: modes, owners and everything else as the mount shows them. */
    private void kernelMount(Path img, FatFilesystem fs) throws Exception {
        if (!Sh.run("cat", "/proc/filesystems").contains("vfat")) {
            System.out.println("SKIP kernel vfat comparison: this kernel has no vfat (not in /proc/filesystems, no modules)");
            return;
        }
        Need.root();
        try (LoopMount m = LoopMount.readOnly(img, 0, 0, "vfat", "")) {
            TreeMap<String, EntryFacts> expected = HostTree.walk(m.path());
            TreeMap<String, EntryFacts> actual = GuestTree.walk(fs);
            expected.remove(".");
            actual.remove(".");
            TreeAssert.assertSameTree(expected, actual);
        }
    }
}
