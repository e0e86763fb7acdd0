package io.vdetach.guestfs.exfat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exFAT made by mkfs.exfat (exfatprogs), populated through a loop device and a FUSE exfat mount
 * (this kernel has no exfat), read back through a read-only FUSE mount as the oracle.
 *
 * <p>Compared: path, type, size, SHA-256 and mtime in whole seconds (FUSE exfat 1.3 gives
 * seconds only; we keep exFAT's 10 ms). Not compared: owners and modes, which exFAT does not
 * store: the FUSE driver shows 0777 for everything, we show what the kernel's exfat shows (0755,
 * 0555 for read-only files), checked separately.
 */
class ExfatFilesystemTest {
    @TempDir Path dir;

    @Test
    void fuseMountAgreesWithReader() throws Exception {
        Need.root();
        Need.tools("mkfs.exfat", "mount.exfat-fuse", "losetup");
        Path img = dir.resolve("ex.img");
        Sh.run("truncate", "-s", "64M", img.toString());
        Sh.run("mkfs.exfat", "-L", "VDETACH", "-c", "4096", img.toString());
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "exfat-fuse", "")) {
            populate(m.path());
        }
        TreeMap<String, EntryFacts> expected;
        try (LoopMount m = LoopMount.readOnly(img, 0, 0, "exfat-fuse", "")) {
            expected = TreeAssert.ignoring(HostTree.walk(m.path()), true, true, false, true);
        }
        expected.remove(".");
        try (HostFile f = HostFile.open(img)) {
            assertThat(FilesystemProbe.probe(f)).isInstanceOf(Probed.Readable.class);
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            assertThat(fs.label()).isEqualTo("VDETACH");
            assertThat(fs.blockSize()).isEqualTo(4096);
            assertThat(fs.warnings()).isEmpty();
            TreeMap<String, EntryFacts> guest = GuestTree.walk(fs);
            TreeMap<String, EntryFacts> actual = new TreeMap<>();
            guest.forEach((p, e) -> actual.put(p, wholeSeconds(e.without(true, true, false, true))));
            actual.remove(".");
            TreeAssert.assertSameTree(expected, actual);
            // FUSE exfat ignores chmod (no read-only attribute gets set): the 0555 rule is tested in ExfatCorruptTest
            guest.forEach((p, e) -> assertThat(e.mode()).as(p).isEqualTo(0755));
            guest.keySet().forEach(p -> assertThat(p).doesNotContain("#broken"));
            Node grown = ExfatCorpusTest.child(fs, fs.node(fs.rootId()), "grown.bin");
            assertThat(grown.notes()).as("NameHash checked with the up-case table").isEmpty();
            grownId = grown.id();
            sameNodesWithoutTheListingCache(fs, f);
            Node a = ExfatCorpusTest.child(fs, fs.node(fs.rootId()), "interleaved-a");
            assertThat(fs.content(a).map(0, a.size())).as("a FAT-chained, fragmented file").hasSizeGreaterThan(1);
            grownData = ((Run.Mapped) fs.content(grown).map(0, 1).get(0)).offset();
        }
        validDataLengthBelowDataLength(img);
    }

    /**
     * node(id) on a fresh reader (nothing listed yet) re-reads each entry set from the volume,
     * following the directory into its next cluster where a set crosses one (4 KiB clusters hold
     * 128 entries; the 3-entry sets of "many" straddle boundaries): it must give the same nodes.
     */
    private static void sameNodesWithoutTheListingCache(ExfatFilesystem fs, HostFile f) throws Exception {
        java.util.Map<Long, Node> all = new java.util.HashMap<>();
        java.util.ArrayDeque<Node> dirs = new java.util.ArrayDeque<>(List.of(fs.node(fs.rootId())));
        int crossing = 0;
        while (!dirs.isEmpty()) {
            for (var e : fs.list(dirs.pop())) {
                Node n = fs.node(e.id());
                all.put(e.id(), n);
                if (n.isDirectory()) dirs.push(n);
                if ((e.id() - fs.heapStart()) % 4096 >= 4096 - 64) crossing++;
            }
        }
        ExfatFilesystem fresh = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
        for (var e : all.entrySet()) assertThat(fresh.node(e.getKey())).isEqualTo(e.getValue());
        assertThat(crossing).as("sets that start in a cluster's last two entries").isPositive();
    }

    private long grownId;
    private long grownData;

    /**
     * FUSE exfat writes zeros when truncate grows a file (ValidDataLength = DataLength), and this
     * kernel has no exfat to fallocate with; so set ValidDataLength of grown.bin to 10,000 in its
     * entry set (checksum fixed) and fill the clusters past it with 0xAA. The spec (section 7.6.5)
     * says reads beyond ValidDataLength return zeros, and Linux's exfat does so; FUSE exfat 1.3.0
     * does not (measured: it returns the 0xAA), so for that one file the oracle is the FUSE
     * mount's first 10,000 bytes followed by zeros, and the range must be mapped as a hole.
     */
    private void validDataLengthBelowDataLength(Path img) throws Exception {
        ExfatPatch.set(img, grownId, true, b -> b.putLong(32 + 8, 10_000));
        byte[] junk = new byte[300_000 - 12_288];
        java.util.Arrays.fill(junk, (byte) 0xAA);
        ExfatPatch.bytes(img, grownData + 12_288, junk);
        TreeMap<String, EntryFacts> expected;
        try (LoopMount m = LoopMount.readOnly(img, 0, 0, "exfat-fuse", "")) {
            expected = TreeAssert.ignoring(HostTree.walk(m.path()), true, true, false, true);
            byte[] valid = java.util.Arrays.copyOf(Files.readAllBytes(m.path().resolve("grown.bin")), 10_000);
            var md = java.security.MessageDigest.getInstance("SHA-256");
            EntryFacts g = expected.get("grown.bin");
            md.update(valid);
            md.update(new byte[290_000]);
            expected.put("grown.bin", new EntryFacts(g.type(), g.size(), java.util.HexFormat.of().formatHex(md.digest()),
                    g.mode(), g.uid(), g.gid(), g.mtimeSeconds(), g.mtimeNanos(), g.linkTarget(), g.rdev(), g.xattrs(), g.linkGroup()));
        }
        try (HostFile f = HostFile.open(img)) {
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            TreeMap<String, EntryFacts> actual = new TreeMap<>();
            GuestTree.walk(fs).forEach((p, e) -> actual.put(p, wholeSeconds(e.without(true, true, false, true))));
            expected.remove(".");
            actual.remove(".");
            TreeAssert.assertSameTree(expected, actual);
            Node grown = ExfatCorpusTest.child(fs, fs.node(fs.rootId()), "grown.bin");
            List<Run> runs = fs.content(grown).map(0, grown.size());
            assertThat(runs).hasSize(2);
            assertThat(runs.get(0)).isInstanceOf(Run.Mapped.class);
            assertThat(runs.get(0).length()).isEqualTo(10_000);
            assertThat(runs.get(1)).isEqualTo(new Run.Hole(10_000, 290_000));
        }
    }

    private static EntryFacts wholeSeconds(EntryFacts e) {
        return new EntryFacts(e.type(), e.size(), e.sha256(), e.mode(), e.uid(), e.gid(), e.mtimeSeconds(), 0,
                e.linkTarget(), e.rdev(), e.xattrs(), e.linkGroup());
    }

    /** Nested dirs, long and unicode names (also outside the BMP), sizes, a big file, a file grown by truncate. */
    static void populate(Path root) throws Exception {
        Random rnd = new Random(5);
        Files.createDirectories(root.resolve("nested/level2/level3"));
        Files.writeString(root.resolve("nested/level2/level3/deep.txt"), "deep\n");
        Files.createDirectories(root.resolve("Ünïcödé/日本語"));
        Files.writeString(root.resolve("Ünïcödé/日本語/ファイル.txt"), "日本語\n");
        Files.writeString(root.resolve("Ünïcödé/emoji 😀 outside the BMP.txt"), "smile");
        Files.writeString(root.resolve("A name that is long enough to need several File Name entries, well over forty-five chars.txt"), "x");
        Files.write(root.resolve("empty"), new byte[0]);
        Files.createDirectories(root.resolve("empty dir"));
        Files.createDirectories(root.resolve("sizes"));
        for (int n : new int[] {1, 4095, 4096, 4097, 65536, 100_001}) Files.write(root.resolve("sizes/s" + n), bytes(rnd, n));
        Files.createDirectories(root.resolve("many"));
        for (int i = 0; i < 300; i++) Files.write(root.resolve("many/entry " + i), bytes(rnd, i * 3));
        Files.write(root.resolve("big.bin"), bytes(rnd, 3 << 20));
        Files.write(root.resolve("grown.bin"), bytes(rnd, 10_000));
        // two files appended in turn: their clusters interleave, so they need FAT chains
        for (int i = 0; i < 24; i++) {
            for (String n : new String[] {"interleaved-a", "interleaved-b"}) {
                Files.write(root.resolve(n), bytes(rnd, 4096 + i), java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            }
        }
        Sh.run("truncate", "-s", "300000", root.resolve("grown.bin").toString());
        long t = Instant.parse("2022-03-04T05:06:07Z").getEpochSecond();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (p.equals(root)) continue;
                Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(t)));
                t += 86_400 + 3_601;
            }
        }
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
