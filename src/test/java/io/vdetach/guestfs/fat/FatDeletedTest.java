package io.vdetach.guestfs.fat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.Recovered;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleted entries of FAT16 and FAT32 volumes made by mkfs.vfat and populated by mtools, then
 * deleted with mdel and mdeltree: the names we recover are those Sleuth Kit's fls -rd lists, the
 * contents equal what tsk_recover writes (and the files copied in).
 */
class FatDeletedTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"16", "32"})
    void recoversWhatTheSleuthKitRecovers(String bits) throws Exception {
        Need.tools("mkfs.vfat", "mcopy", "mdel", "mdeltree", "fls", "tsk_recover");
        Path src = dir.resolve("src");
        sourceTree(src);
        Path img = dir.resolve("fat" + bits + ".img");
        Sh.run("mkfs.vfat", "-F", bits, "-C", img.toString(), bits.equals("16") ? "20480" : "40960");
        FatFixtures.mcopyIn(img, src);
        mtools("mdel", img, "::/A long file name here.bin", "::/short.txt", "::/Live Dir/gone with a long name.txt",
                "::/Live Dir/GONE2.TXT");
        mtools("mdeltree", img, "::/Some Dir");
        Map<String, String> sources = TskDeleted.sums(src);
        TreeMap<String, String> fls = TskDeleted.fls(img);
        TreeMap<String, String> tsk = TskDeleted.tskRecover(img, dir.resolve("tsk"));
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            TreeMap<String, Recovered> all = TskDeleted.ours(fs);
            TreeMap<String, Recovered> ours = TskDeleted.orphans(all, false);
            TreeMap<String, String> types = new TreeMap<>();
            all.forEach((p, r) -> types.put(p, r.node().isDirectory() ? "d" : "r"));
            assertThat(TskDeleted.orphans(types, false)).as("names and types against fls -rd").isEqualTo(TskDeleted.orphans(fls, false));
            assertThat(TskDeleted.counts(TskDeleted.orphans(types, true).values())).as("orphans against fls -rd's $OrphanFiles")
                    .isEqualTo(TskDeleted.counts(TskDeleted.orphans(fls, true).values()));
            assertThat(tsk).as("tsk_recover recovers something").isNotEmpty();
            assertThat(ours.keySet()).as("what tsk_recover recovers").containsAll(TskDeleted.orphans(tsk, false).keySet());
            for (var e : TskDeleted.orphans(tsk, false).entrySet()) {
                assertThat(TskDeleted.sha256(ours.get(e.getKey()).content())).as(e.getKey()).isEqualTo(e.getValue());
            }
            java.util.List<String> orphanSums = new java.util.ArrayList<>();
            for (Recovered r : TskDeleted.orphans(all, true).values()) if (r.content() != null) orphanSums.add(TskDeleted.sha256(r.content()));
            assertThat(orphanSums).as("orphan contents against tsk_recover's $OrphanFiles")
                    .containsAll(TskDeleted.orphans(tsk, true).values());
            // 8.3-only names lost their first letter (fls shows the same)
            TskDeleted.intactAsItsSource(ours, p -> sources.get(p.replace("_hort.txt", "short.txt").replace("_ONE2.TXT", "GONE2.TXT")
                    .replace("_.TXT", "B.TXT").replace("/_ub/", "/sub/")));
            assertThat(ours.keySet()).contains("A long file name here.bin", "Some Dir/Many Files/a file with a long name 8.txt",
                    "Live Dir/gone with a long name.txt", "Some Dir/_ub/deep file.txt");
        }
        TskDeleted.extractAgrees(img, dir.resolve("out"), tsk);
    }

    /**
     * A deleted file whose first clusters a new file took: marked "clusters possibly reused", its size
     * kept, and the clusters the new file did not take still give the old data. (tsk_recover writes
     * 2,048 bytes for this 9,000-byte entry: the new file's first cluster only, measured with
     * Sleuth Kit 4.12; we give all 9,000, labelled.)
     */
    @org.junit.jupiter.api.Test
    void reusedClustersAreMarked() throws Exception {
        Need.tools("mkfs.vfat", "mcopy", "mdel", "mmd", "fls");
        Random rnd = new Random(3);
        byte[] old = new byte[9000];
        rnd.nextBytes(old);
        Files.write(dir.resolve("old.bin"), old);
        Path img = dir.resolve("reused.img");
        Sh.run("mkfs.vfat", "-F", "16", "-C", img.toString(), "20480");
        mtools("mmd", img, "::/d");
        Sh.run("mcopy", "-i", img.toString(), dir.resolve("old.bin").toString(), "::/d/old.bin");
        mtools("mdel", img, "::/d/old.bin");
        byte[] fresh = new byte[3000];
        rnd.nextBytes(fresh);
        Files.write(dir.resolve("new.bin"), fresh);
        Sh.run("mcopy", "-i", img.toString(), dir.resolve("new.bin").toString(), "::/new.bin"); // takes the freed clusters
        assertThat(TskDeleted.fls(img)).containsOnlyKeys("d/_ld.bin");
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            Recovered r = TskDeleted.ours(fs).get("d/_ld.bin");
            assertThat(r.recovery()).isEqualTo(Recovered.Recovery.CLUSTERS_POSSIBLY_REUSED);
            assertThat(r.content().size()).isEqualTo(9000);
            int cs = fs.blockSize();
            byte[] got = r.content().readBytes(0, 9000).array();
            assertThat(java.util.Arrays.copyOfRange(got, 0, 3000)).as("the new file's clusters").isEqualTo(fresh);
            int kept = (3000 + cs - 1) / cs * cs;
            assertThat(java.util.Arrays.copyOfRange(got, kept, 9000)).as("clusters the new file did not take")
                    .isEqualTo(java.util.Arrays.copyOfRange(Files.readAllBytes(dir.resolve("old.bin")), kept, 9000));
        }
    }

    /**
     * Random damage to the FAT, the root directory and the first data clusters (where the deleted
     * directories are) of the deleted FAT16 volume: only our exceptions, bounded time.
     */
    @org.junit.jupiter.api.Test
    void randomDamageGivesOnlyOurExceptions() throws Exception {
        Need.tools("mkfs.vfat", "mcopy", "mdel", "mdeltree");
        Path src = dir.resolve("src");
        sourceTree(src);
        Path img = dir.resolve("fat16.img");
        Sh.run("mkfs.vfat", "-F", "16", "-C", img.toString(), "20480");
        FatFixtures.mcopyIn(img, src);
        mtools("mdeltree", img, "::/Some Dir");
        mtools("mdel", img, "::/A long file name here.bin", "::/Live Dir/gone with a long name.txt");
        int done = DeletedMutants.run(img, new long[][] {{0, 512}, {512, 200_000}, {200_000, 400_000}}, 300, 5, 15_000,
                f -> FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget()));
        assertThat(done).as("mutants scanned to the end").isPositive();
    }

    /**
     * A deleted long name whose parts no longer agree (the checksum of its first part changed): the
     * entry is named by its 8.3 name with '_' for the lost first byte. (fls shows "A long file n" here:
     * it keeps the parts next to the 8.3 entry up to the first disagreeing one, a name cut to 13 of its
     * 25 characters; measured with Sleuth Kit 4.12.)
     */
    @org.junit.jupiter.api.Test
    void longNameWhosePartsDisagreeFallsBackToTheShortName() throws Exception {
        Need.tools("mkfs.vfat", "mcopy", "mdel");
        Path img = dir.resolve("lfn.img");
        Sh.run("mkfs.vfat", "-F", "16", "-C", img.toString(), "20480");
        Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        Sh.run("mcopy", "-i", img.toString(), dir.resolve("f").toString(), "::/A long file name here.bin");
        mtools("mdel", img, "::/A long file name here.bin");
        long part1;
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            Recovered r = TskDeleted.ours(fs).get("A long file name here.bin");
            assertThat(r).as("the intact long name").isNotNull();
            part1 = r.node().id() - 32; // the part stored next to the 8.3 entry holds the name's first 13 characters
        }
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            raf.seek(part1 + 13);
            int sum = raf.read();
            raf.seek(part1 + 13);
            raf.write(sum ^ 0x55);
        }
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            assertThat(TskDeleted.ours(fs).keySet()).containsExactly("_LONGF~1.BIN");
        }
    }

    /**
     * A deleted directory whose entry is made to point back at its deleted parent's first cluster (a
     * cycle): the parent is not walked twice, the scan ends, every path once.
     */
    @org.junit.jupiter.api.Test
    void deletedDirectoryCycleIsWalkedOnce() throws Exception {
        Need.tools("mkfs.vfat", "mcopy", "mdeltree");
        Path src = dir.resolve("src");
        sourceTree(src);
        Path img = dir.resolve("cycle.img");
        Sh.run("mkfs.vfat", "-F", "16", "-C", img.toString(), "20480");
        FatFixtures.mcopyIn(img, src);
        mtools("mdeltree", img, "::/Some Dir");
        long parent, child;
        try (HostFile f = HostFile.open(img)) {
            TreeMap<String, Recovered> before = TskDeleted.ours(FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget()));
            parent = before.get("Some Dir").node().id();
            child = before.get("Some Dir/_ub").node().id();
        }
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            raf.seek(parent + 26); // DIR_FstClusLO
            byte[] first = new byte[2];
            raf.readFully(first);
            raf.seek(child + 26);
            raf.write(first);
        }
        try (HostFile f = HostFile.open(img)) {
            TreeMap<String, Recovered> after = TskDeleted.ours(FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget()));
            assertThat(after).containsKeys("Some Dir", "Some Dir/_ub", "Some Dir/inner long name.dat")
                    .doesNotContainKey("Some Dir/_ub/inner long name.dat");
        }
    }

    private static void mtools(String tool, Path img, String... paths) {
        java.util.List<String> cmd = Sh.list(tool, "-i", img.toString());
        cmd.addAll(java.util.List.of(paths));
        Sh.run(cmd.toArray(String[]::new));
    }

    /**
     * Long and 8.3 names, a directory three levels deep, one of 60 long names (several clusters),
     * and a live directory that keeps one file and loses two.
     */
    static void sourceTree(Path src) throws Exception {
        Random rnd = new Random(7);
        Files.createDirectories(src.resolve("Some Dir/sub"));
        Files.createDirectories(src.resolve("Some Dir/Many Files"));
        Files.createDirectories(src.resolve("Live Dir"));
        write(src.resolve("A long file name here.bin"), rnd, 5000);
        write(src.resolve("short.txt"), rnd, 30000);
        write(src.resolve("keep.txt"), rnd, 100);
        write(src.resolve("Some Dir/inner long name.dat"), rnd, 7000);
        write(src.resolve("Some Dir/B.TXT"), rnd, 3);
        write(src.resolve("Some Dir/sub/deep file.txt"), rnd, 3000);
        for (int i = 0; i < 60; i++) write(src.resolve("Some Dir/Many Files/a file with a long name " + i + ".txt"), rnd, 1 + i * 50);
        write(src.resolve("Live Dir/stay.txt"), rnd, 1234);
        write(src.resolve("Live Dir/gone with a long name.txt"), rnd, 70000);
        write(src.resolve("Live Dir/GONE2.TXT"), rnd, 0);
    }

    private static void write(Path p, Random rnd, int n) throws Exception {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        Files.write(p, b);
    }
}
