package io.vdetach.apply.offline;

import io.vdetach.error.HostException;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offline detach end to end on hosts made by mke2fs -d: e2fsck -fn is the judge of the
 * metadata, a read-only kernel mount the judge of the extracted tree, debugfs the judge of
 * where the data lies, and undo must give the device back byte for byte.
 */
class OfflineDetachTest {

    @ParameterizedTest(name = "mke2fs -O {0}")
    @ValueSource(strings = {"/2048", "^metadata_csum,uninit_bg/4096", "^64bit,^flex_bg/2048", "^metadata_csum,^64bit,^flex_bg,^uninit_bg",
        "//1024"})
    void detachesIntoTheImageBlocks(String features, @TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck", "debugfs", "losetup", "mount");
        long t0 = System.nanoTime();
        HostFixture fx = HostFixture.make(dir, features, 16, 2000, 64);
        System.out.printf("%s (fixture %.1f s)%n", fx.features(), (System.nanoTime() - t0) / 1e9);
        String before = HostFixture.sha256(fx.device());
        List<long[]> imageBlocks = HostFixture.extents(fx.device(), "/vm/disk.img");
        assertThat(imageBlocks).isNotEmpty();
        Path undo = dir.resolve("undo");
        CarvedGuest g;
        OfflineReport r;
        try (OfflineSession s = OfflineSession.open(fx.device(), "vm/disk.img")) {
            g = CarvedGuest.standard(s.image(), 1200);
            // a run in a host file outside this filesystem (a backing file elsewhere): copied
            Path foreign = dir.resolve("foreign.bin");
            Files.write(foreign, "bytes from another host file\n".repeat(500).getBytes());
            try (io.vdetach.extent.HostFile hf = io.vdetach.extent.HostFile.open(foreign)) {
                g.file("a/foreign.bin", hf, 0644, java.time.Instant.ofEpochSecond(1700000100), List.of());
                r = s.detach("extracted", g.items, OfflineOptions.withUndo(undo));
            }
        }
        System.out.println(r.toJson());
        long t1 = System.nanoTime();
        Sh.Result fsck = Sh.exec(null, "e2fsck", "-fn", fx.device().toString());
        assertThat(fsck.exit()).as("e2fsck -fn:\n" + fsck.out() + fsck.err()).isZero();
        System.out.printf("e2fsck %.1f s%n", (System.nanoTime() - t1) / 1e9);
        t1 = System.nanoTime();

        try (LoopMount m = LoopMount.readOnly(fx.device(), 0, 0, "ext4", "")) {
            TreeMap<String, EntryFacts> actual = HostTree.walk(m.path().resolve("extracted"));
            TreeAssert.assertSameTree(g.expected, actual);
            assertThat(Files.exists(m.path().resolve("vm/disk.img"))).isFalse();
            assertThat(Files.exists(m.path().resolve("vm/neighbour-with-a-long-name-1999.txt"))).isTrue();
            for (var e : fx.otherSha().entrySet()) {
                assertThat(HostTree.sha256(m.path().resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
            }
        }
        System.out.printf("mount+compare %.1f s%n", (System.nanoTime() - t1) / 1e9);
        for (String f : g.donatedFiles) {
            for (long[] e : HostFixture.extents(fx.device(), "/extracted/" + f)) {
                boolean inside = imageBlocks.stream().anyMatch(i -> e[0] >= i[0] && e[1] <= i[1]);
                assertThat(inside).as(f + " extent " + e[0] + "-" + e[1] + " inside the image's blocks").isTrue();
            }
        }
        // aligned.bin, deep.txt and fragmented.bin whole, and 1,080 small files (one partial block each)
        int per4k = 4096 / r.blockSize();
        assertThat(r.blocksDonated()).isGreaterThanOrEqualTo((5 + 1 + 700) * per4k + 1080);
        assertThat(r.blocksCopied()).isPositive();
        assertThat(r.files()).isEqualTo(1200 + 13);

        long restored = OfflineDetach.undo(fx.device(), undo);
        assertThat(restored).isPositive();
        assertThat(HostFixture.sha256(fx.device())).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void destinationInsideHtreeDirectories(@TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck", "debugfs", "losetup", "mount");
        HostFixture fx = HostFixture.make(dir, "", 16, 2000, 64);
        // a directory indexed by the kernel itself: leaves split half full, so the new name fits its leaf
        try (LoopMount m = LoopMount.readWrite(fx.device(), 0, 0, "ext4", "")) {
            Path k = Files.createDirectories(m.path().resolve("kdir"));
            for (int i = 0; i < 3000; i++) Files.writeString(k.resolve("kernel-made-entry-" + i), "k");
        }
        String pristine = HostFixture.sha256(fx.device());
        assertThat(Sh.run("debugfs", "-R", "stat /kdir", fx.device().toString())).contains("Flags: 0x81000");
        assertThat(Sh.run("debugfs", "-R", "stat /big", fx.device().toString())).contains("Flags: 0x81000");
        for (String parent : List.of("kdir", "big", "vm")) {
            Path undo = dir.resolve("undo-" + parent);
            CarvedGuest g;
            try (OfflineSession s = OfflineSession.open(fx.device(), "vm/disk.img")) {
                g = CarvedGuest.standard(s.image(), 30);
                s.detach(parent + "/extracted", g.items, OfflineOptions.withUndo(undo));
            }
            Sh.Result fsck = Sh.exec(null, "e2fsck", "-fn", fx.device().toString());
            assertThat(fsck.exit()).as(parent + ": e2fsck -fn:\n" + fsck.out() + fsck.err()).isZero();
            String flags = Sh.run("debugfs", "-R", "stat /" + parent, fx.device().toString()).lines()
                    .filter(l -> l.contains("Flags:")).findFirst().orElseThrow();
            System.out.println(parent + " after: " + flags);
            try (LoopMount m = LoopMount.readOnly(fx.device(), 0, 0, "ext4", "")) {
                TreeAssert.assertSameTree(g.expected, HostTree.walk(m.path().resolve(parent + "/extracted")));
                try (var l = Files.list(m.path().resolve(parent))) {
                    assertThat(l.count()).isEqualTo(parent.equals("big") ? 2501 : parent.equals("vm") ? 2001 : 3001);
                }
            }
            OfflineDetach.undo(fx.device(), undo);
            assertThat(HostFixture.sha256(fx.device())).isEqualTo(pristine);
        }
    }

    @org.junit.jupiter.api.Test
    void dropsTheIndexOfAParentWhoseLeafIsFull(@TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck", "debugfs", "losetup", "mount");
        HostFixture fx = HostFixture.make(dir, "", 16, 2000, 64);
        // the kernel splits a leaf only when a name does not fit: with 255-byte names many leaves hold
        // 15 entries and 124 free bytes, too few for another long name
        try (LoopMount m = LoopMount.readWrite(fx.device(), 0, 0, "ext4", "")) {
            Path k = Files.createDirectories(m.path().resolve("long"));
            for (int i = 0; i < 600; i++) Files.writeString(k.resolve(String.format("%04d-", i) + "z".repeat(250)), "l" + i);
        }
        String name = null;
        for (int i = 0; i < 60 && name == null; i++) {
            String n = String.format("d%03d-", i) + "y".repeat(250);
            try (OfflineSession s = OfflineSession.open(fx.device(), "vm/disk.img")) {
                CarvedGuest one = new CarvedGuest(s.image());
                one.dir("", 0755, java.time.Instant.EPOCH);
                OfflineReport r = s.detach("long/" + n, one.items, OfflineOptions.dryRunOnly());
                if (!r.notes().isEmpty()) name = n;
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(name != null, "no full leaf found");
        CarvedGuest g;
        try (OfflineSession s = OfflineSession.open(fx.device(), "vm/disk.img")) {
            g = CarvedGuest.standard(s.image(), 3);
            OfflineReport r = s.detach("long/" + name, g.items, OfflineOptions.withUndo(dir.resolve("undo")));
            System.out.println(r.toJson());
        }
        Sh.Result fsck = Sh.exec(null, "e2fsck", "-fn", fx.device().toString());
        assertThat(fsck.exit()).as("e2fsck -fn:\n" + fsck.out() + fsck.err()).isZero();
        assertThat(Sh.run("debugfs", "-R", "stat /long", fx.device().toString())).contains("Flags: 0x80000");
        try (LoopMount m = LoopMount.readOnly(fx.device(), 0, 0, "ext4", "")) {
            TreeAssert.assertSameTree(g.expected, HostTree.walk(m.path().resolve("long/" + name)));
            try (var l = Files.list(m.path().resolve("long"))) {
                assertThat(l.count()).isEqualTo(601);
            }
            assertThat(Files.readString(m.path().resolve("long/0123-" + "z".repeat(250)))).isEqualTo("l123");
        }
    }

    /** New directories that outgrow a block get an htree: one level for 1,200 names, two for 9,000 long ones. */
    @org.junit.jupiter.api.Test
    void newDirectoriesAreIndexed(@TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck", "debugfs", "losetup", "mount");
        HostFixture fx = HostFixture.make(dir, "", 16, 2000, 64);
        CarvedGuest g;
        try (OfflineSession s = OfflineSession.open(fx.device(), "vm/disk.img")) {
            g = CarvedGuest.standard(s.image(), 1200);
            g.dir("wide", 0755, java.time.Instant.ofEpochSecond(1700000000));
            for (int i = 0; i < 9000; i++) g.special("wide/" + String.format("%05d-", i) + "w".repeat(240), io.vdetach.guestfs.EntryType.FIFO, 0, 0);
            s.detach("x", g.items, OfflineOptions.withUndo(dir.resolve("undo")));
        }
        Sh.Result fsck = Sh.exec(null, "e2fsck", "-fn", fx.device().toString());
        assertThat(fsck.exit()).as("e2fsck -fn:\n" + fsck.out() + fsck.err()).isZero();
        assertThat(Sh.run("debugfs", "-R", "htree /x/many", fx.device().toString())).contains("Indirect levels: 0");
        assertThat(Sh.run("debugfs", "-R", "htree /x/wide", fx.device().toString())).contains("Indirect levels: 1");
        try (LoopMount m = LoopMount.readOnly(fx.device(), 0, 0, "ext4", "")) {
            TreeAssert.assertSameTree(g.expected, HostTree.walk(m.path().resolve("x")));
        }
    }

    /** A whole disk with an MBR partition holding the host: the partition is found by looking for the image. */
    @org.junit.jupiter.api.Test
    void findsTheHostPartitionOfAWholeDisk(@TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck", "sfdisk", "losetup", "mount");
        HostFixture plain = HostFixture.make(dir.resolve("plain"), "", 16, 2000, 64);
        Path disk = dir.resolve("disk.raw");
        long start = 1 << 20;
        Sh.run("truncate", "-s", "66M", disk.toString());
        Sh.bash("printf 'start=2048, size=131072, type=83\\n' | sfdisk -q " + disk);
        Sh.bash("dd if=" + plain.device() + " of=" + disk + " bs=1M seek=1 conv=notrunc,sparse status=none");
        String before = HostFixture.sha256(disk);
        CarvedGuest g;
        OfflineReport r;
        Path undo = dir.resolve("undo");
        try (OfflineSession s = OfflineSession.open(disk, "vm/disk.img")) {
            assertThat(s.offset()).isEqualTo(start);
            g = CarvedGuest.standard(s.image(), 200);
            r = s.detach("extracted", g.items, OfflineOptions.withUndo(undo));
        }
        assertThat(r.blocksDonated()).isPositive();
        Path part = dir.resolve("part.ext4");
        Sh.bash("dd if=" + disk + " of=" + part + " bs=1M skip=1 count=64 status=none");
        Sh.Result fsck = Sh.exec(null, "e2fsck", "-fn", part.toString());
        assertThat(fsck.exit()).as("e2fsck -fn:\n" + fsck.out() + fsck.err()).isZero();
        try (LoopMount m = LoopMount.readOnly(disk, start, 64L << 20, "ext4", "")) {
            TreeAssert.assertSameTree(g.expected, HostTree.walk(m.path().resolve("extracted")));
        }
        OfflineDetach.undo(disk, undo);
        assertThat(HostFixture.sha256(disk)).isEqualTo(before);
        // a partition named explicitly, and one that does not exist
        try (OfflineSession s = OfflineSession.open(disk, "p1", "vm/disk.img")) {
            assertThat(s.offset()).isEqualTo(start);
        }
        assertRefused(disk, "p2", "vm/disk.img", "has no partition p2");
    }

    private static void assertRefused(Path dev, String partition, String image, String message) {
        try (OfflineSession s = OfflineSession.open(dev, partition, image)) {
            throw new AssertionError("expected a refusal (" + message + ")");
        } catch (HostException e) {
            assertThat(e.getMessage()).contains(message);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @org.junit.jupiter.api.Test
    void dryRunWritesNothing(@TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck");
        HostFixture fx = HostFixture.make(dir, "", 16, 2000, 64);
        String before = HostFixture.sha256(fx.device());
        OfflineReport r;
        try (OfflineSession s = OfflineSession.open(fx.device(), "/vm/disk.img")) {
            r = s.detach("out", CarvedGuest.standard(s.image(), 50).items, OfflineOptions.dryRunOnly());
        }
        assertThat(r.dryRun()).isTrue();
        assertThat(r.blocksDonated()).isPositive();
        assertThat(HostFixture.sha256(fx.device())).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void refusesWhatItCannotWriteSafely(@TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck", "debugfs", "losetup", "mount");
        HostFixture fx = HostFixture.make(dir.resolve("a"), "", 16, 2000, 64);
        // the image is not in this filesystem
        assertRefused(fx.device(), "vm/other.img", "is not in the ext4 filesystem");
        assertRefused(fx.device(), "vm", "not a regular file");
        // mounted (read-only, through a loop device)
        try (LoopMount m = LoopMount.readOnly(fx.device(), 0, 0, "ext4", "")) {
            assertRefused(fx.device(), "vm/disk.img", "loop");
        }
        // journal needs recovery
        Sh.run("debugfs", "-w", "-R", "feature needs_recovery", fx.device().toString());
        assertRefused(fx.device(), "vm/disk.img", "journal needs recovery");
        Sh.run("debugfs", "-w", "-R", "feature ^needs_recovery", fx.device().toString());
        // errors recorded
        Sh.run("debugfs", "-w", "-R", "ssv state 3", fx.device().toString());
        assertRefused(fx.device(), "vm/disk.img", "has errors");
        Sh.run("debugfs", "-w", "-R", "ssv state 1", fx.device().toString());
        // a feature the writer does not handle
        Path cf = dir.resolve("cf.ext4");
        Sh.run("truncate", "-s", "32M", cf.toString());
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-O", "casefold,encrypt", cf.toString());
        assertRefused(cf, "x", "casefold");
        assertRefused(cf, "x", "encrypt");
        // not ext4 at all
        Path zero = dir.resolve("zero");
        Sh.run("truncate", "-s", "4M", zero.toString());
        assertRefused(zero, "x", "holds no ext4 filesystem at its start nor in a partition");
    }

    private static void assertRefused(Path dev, String image, String message) {
        try (OfflineSession s = OfflineSession.open(dev, image)) {
            throw new AssertionError("expected a refusal (" + message + ")");
        } catch (HostException e) {
            System.out.println("refused: " + e.getMessage());
            assertThat(e.getMessage()).contains(message);
            assertThat(e.exitCode()).isEqualTo(4);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
