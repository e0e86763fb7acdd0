package io.vdetach.guestfs.fat;

import static org.assertj.core.api.Assertions.assertThat;

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
        Path out = dir.resolve("out");
        FatFixtures.mcopyOut(img, out);
        TreeMap<String, EntryFacts> expected = TreeAssert.ignoring(HostTree.walk(out), true, true, false, true);
        expected.remove(".");
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f);
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
            kernelMount(img, fs);
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
