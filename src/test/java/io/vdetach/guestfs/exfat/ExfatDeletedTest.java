package io.vdetach.guestfs.exfat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.Recovered;
import io.vdetach.guestfs.fat.TskDeleted;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleted entry sets of an exFAT volume made by mkfs.exfat and written through a FUSE exfat mount
 * (files, a fragmented file, a directory tree, then deleted there): the names we recover are
 * those Sleuth Kit's fls -rd lists, the contents equal what tsk_recover writes and what was copied in.
 */
class ExfatDeletedTest {
    @TempDir Path dir;

    @Test
    void recoversWhatTheSleuthKitRecovers() throws Exception {
        Need.root();
        Need.tools("mkfs.exfat", "mount.exfat-fuse", "losetup", "fls", "tsk_recover", "istat", "blkcat");
        Path img = dir.resolve("ex.img");
        Map<String, String> sources = build(img);
        TreeMap<String, String> fls = TskDeleted.fls(img);
        TreeMap<String, String> tsk = TskDeleted.tskRecover(img, dir.resolve("tsk"));
        try (HostFile f = HostFile.open(img)) {
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            TreeMap<String, Recovered> all = TskDeleted.ours(fs);
            TreeMap<String, Recovered> ours = TskDeleted.orphans(all, false);
            TreeMap<String, String> types = new TreeMap<>();
            all.forEach((p, r) -> types.put(p, r.node().isDirectory() ? "d" : "r"));
            assertThat(TskDeleted.orphans(types, false)).as("names and types against fls -rd").isEqualTo(TskDeleted.orphans(fls, false));
            // fls names an orphan by its name, we by its entry's offset and its name
            TreeMap<String, String> orphanNames = new TreeMap<>();
            TskDeleted.orphans(types, true).forEach((p, t) -> orphanNames.put("$OrphanFiles/" + p.substring(p.indexOf('-') + 1), t));
            assertThat(orphanNames).as("orphans against fls -rd's $OrphanFiles").isEqualTo(TskDeleted.orphans(fls, true));
            assertThat(tsk).as("tsk_recover recovers something").isNotEmpty();
            assertThat(ours.keySet()).as("what tsk_recover recovers").containsAll(TskDeleted.orphans(tsk, false).keySet());
            for (var e : TskDeleted.orphans(tsk, false).entrySet()) {
                assertThat(TskDeleted.sha256(ours.get(e.getKey()).content())).as(e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(TskDeleted.orphans(all, true)).as("the clusters of Many its entry no longer leads to").isNotEmpty();
            for (var e : TskDeleted.orphans(all, true).entrySet()) {
                String name = e.getKey().substring(e.getKey().indexOf('-') + 1);
                String theirs = tsk.get("$OrphanFiles/" + name);
                if (theirs != null) assertThat(TskDeleted.sha256(e.getValue().content())).as(e.getKey()).isEqualTo(theirs);
                assertThat(TskDeleted.sha256(e.getValue().content())).as(e.getKey() + " against its source")
                        .isEqualTo(sources.get("Gone Dir/Many/" + name));
            }
            TskDeleted.intactAsItsSource(ours, sources::get);
            fragId = ours.get("frag.bin").node().id();
            assertThat(ours.keySet()).contains("a deleted long name.bin", "frag.bin", "Gone Dir/Many/a file with a long name 31.txt",
                    "Gone Dir/sub/deep.txt", "Live/gone.txt");
        }
        TskDeleted.extractAgrees(img, dir.resolve("out"), tsk);
        noFatChain(img);
    }

    private long fragId;

    /** mkfs.exfat of 64 MiB, then {@link #populateAndDelete} through a FUSE mount; the deleted files' SHA-256. */
    private static Map<String, String> build(Path img) throws Exception {
        Sh.run("truncate", "-s", "64M", img.toString());
        Sh.run("mkfs.exfat", "-c", "4096", img.toString());
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "exfat-fuse", "")) {
            return populateAndDelete(m.path());
        }
    }

    /**
     * Random damage to the FAT, the allocation bitmap, the up-case table, the root directory and the
     * deleted directories: only our exceptions, bounded time. (The boot region is checksummed: damage
     * there is refused at open, which the exFAT reader's own tests cover.)
     */
    @Test
    void randomDamageGivesOnlyOurExceptions() throws Exception {
        Need.root();
        Need.tools("mkfs.exfat", "mount.exfat-fuse", "losetup");
        Path img = dir.resolve("ex.img");
        build(img);
        long heap;
        try (HostFile f = HostFile.open(img)) {
            heap = ExfatFilesystem.open(f, BlockCache.withDefaultBudget()).heapStart();
        }
        int done = io.vdetach.guestfs.fat.DeletedMutants.run(img, new long[][] {{heap / 2, heap / 2}, {heap, 200 * 4096}},
                300, 9, 15_000, f -> ExfatFilesystem.open(f, BlockCache.withDefaultBudget()));
        assertThat(done).as("mutants scanned to the end").isPositive();
    }

    /**
     * frag.bin with the NoFatChain flag set in its deleted set (checksum fixed with the in-use bits
     * restored): its clusters are then exactly the contiguous ones from its first (section 7.6.2.2),
     * two of which frag2.bin holds now, and we mark it reused. The oracle is Sleuth Kit's blkcat of
     * the sectors from the first one istat names. (Sleuth Kit's icat ignores NoFatChain on a deleted
     * entry, measured: it gives the free clusters from the first, the unpatched file's data.)
     */
    private void noFatChain(Path img) throws Exception {
        ExfatPatch.set(img, fragId, true, b -> {
            for (int i = 0; i < b.limit(); i += 32) b.put(i, (byte) (b.get(i) | 0x80));
            b.put(32 + 1, (byte) (b.get(32 + 1) | 2));
        });
        ExfatPatch.set(img, fragId, false, b -> {
            for (int i = 0; i < b.limit(); i += 32) b.put(i, (byte) (b.get(i) & 0x7f));
        });
        String line = java.util.Arrays.stream(Sh.run("fls", "-d", img.toString()).split("\n"))
                .filter(l -> l.endsWith("\tfrag.bin")).findFirst().orElseThrow();
        String inode = line.substring(line.indexOf("* ") + 2, line.indexOf(':'));
        String istat = Sh.run("istat", img.toString(), inode);
        String firstSector = istat.substring(istat.indexOf("Sectors:") + 8).trim().split("\\s+")[0];
        Path blocks = dir.resolve("frag.blkcat");
        Sh.bash("blkcat " + img + " " + firstSector + " " + (15000 + 511) / 512 + " | head -c 15000 > " + blocks);
        try (HostFile f = HostFile.open(img)) {
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            Recovered r = TskDeleted.ours(fs).get("frag.bin");
            assertThat(r.recovery()).isEqualTo(Recovered.Recovery.CLUSTERS_POSSIBLY_REUSED);
            assertThat(r.content().map(0, r.content().size())).as("one contiguous run").hasSize(1);
            assertThat(TskDeleted.sha256(r.content())).as("against blkcat").isEqualTo(TskDeleted.sha256(Files.readAllBytes(blocks)));
        }
    }

    /** Writes the tree through the mount, deletes part of it there; the SHA-256 of each deleted file by path. */
    private static Map<String, String> populateAndDelete(Path m) throws Exception {
        Random rnd = new Random(11);
        TreeMap<String, String> sums = new TreeMap<>();
        Files.createDirectories(m.resolve("Gone Dir/sub"));
        Files.createDirectories(m.resolve("Gone Dir/Many"));
        Files.createDirectories(m.resolve("Live"));
        write(m, "a deleted long name.bin", rnd, 50_000, sums);
        write(m, "keep.txt", rnd, 100, sums);
        write(m, "empty deleted", rnd, 0, sums);
        write(m, "Gone Dir/inner.dat", rnd, 9000, sums);
        write(m, "Gone Dir/sub/deep.txt", rnd, 3000, sums);
        for (int i = 0; i < 60; i++) write(m, "Gone Dir/Many/a file with a long name " + i + ".txt", rnd, 1 + 97 * i, sums);
        write(m, "Live/gone.txt", rnd, 20_000, sums);
        write(m, "Live/stay", rnd, 10, sums);
        // two files grown in turns: their clusters interleave, so frag.bin's FAT chain is fragmented
        java.io.ByteArrayOutputStream frag = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            byte[] a = bytes(rnd, 5000);
            frag.write(a);
            Files.write(m.resolve("frag.bin"), a, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Files.write(m.resolve("frag2.bin"), bytes(rnd, 5000), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        sums.put("frag.bin", TskDeleted.sha256(frag.toByteArray()));
        Sh.run("rm", "-r", m.resolve("a deleted long name.bin").toString(), m.resolve("empty deleted").toString(),
                m.resolve("Gone Dir").toString(), m.resolve("Live/gone.txt").toString(), m.resolve("frag.bin").toString());
        Sh.run("sync");
        return sums;
    }

    private static void write(Path m, String p, Random rnd, int n, Map<String, String> sums) throws Exception {
        byte[] b = bytes(rnd, n);
        Files.write(m.resolve(p), b);
        sums.put(p, TskDeleted.sha256(b));
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
