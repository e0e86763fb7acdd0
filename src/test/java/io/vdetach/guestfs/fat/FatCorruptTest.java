package io.vdetach.guestfs.fat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real mkfs.vfat/mtools images with bytes patched: every damage is a CorruptImageException, never a hang. */
class FatCorruptTest {
    @TempDir Path dir;

    /** A FAT16 image with f.bin in clusters 2..11, g.txt after it, and directory dd. */
    private Path fat16() throws Exception {
        Need.tools("mkfs.vfat", "mcopy", "mmd");
        Path img = dir.resolve("t16.img");
        Sh.run("mkfs.vfat", "-F", "16", "-s", "4", "-C", img.toString(), "16384");
        Path f = dir.resolve("f.bin");
        Files.write(f, new byte[20000]);
        Files.writeString(dir.resolve("g.txt"), "still fine\n");
        Sh.run("mcopy", "-i", img.toString(), f.toString(), dir.resolve("g.txt").toString(), "::/");
        Sh.run("mmd", "-i", img.toString(), "::/dd");
        assertThat(Sh.run("mshowfat", "-i", img.toString(), "::/f.bin", "::/dd")).contains("<2-11>", "<13>");
        return img;
    }

    private static long fat16Entry(Path img, long cluster) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(img)).order(ByteOrder.LITTLE_ENDIAN);
        return (b.getShort(14) & 0xffff) * (long) (b.getShort(11) & 0xffff) + 2 * cluster;
    }

    @Test
    void chainCycleFailsThatFileOnly() throws Exception {
        Path img = fat16();
        patch16(img, fat16Entry(img, 6), 3); // cluster 6 links back to 3
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            Node root = fs.node(fs.rootId());
            assertThatThrownBy(() -> fs.content(FatCorpusTest.child(fs, root, "f.bin")))
                    .isInstanceOf(CorruptImageException.class).hasMessageContaining("cycle").hasMessageContaining("fat");
            assertThat(FatCorpusTest.child(fs, root, "g.txt").size()).isEqualTo(11);
            assertThat(GuestTree.sha256(fs.content(FatCorpusTest.child(fs, root, "g.txt")))).isNotEmpty();
        }
    }

    @Test
    void clusterBeyondCountFailsThatFileOnly() throws Exception {
        Path img = fat16();
        long at = fat16Entry(img, 4);
        patch16(img, at, 0xFFF0);
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            Node root = fs.node(fs.rootId());
            assertThatThrownBy(() -> fs.content(FatCorpusTest.child(fs, root, "f.bin")))
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("beyond").hasMessageContaining("offset " + at);
            assertThat(fs.list(root)).hasSize(3);
        }
    }

    @Test
    void directoryChainLoopingOnItselfIsCorruptNotAHang() throws Exception {
        Path img = fat16();
        patch16(img, fat16Entry(img, 13), 13);
        try (HostFile f = HostFile.open(img)) {
            FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
            Node dd = FatCorpusTest.child(fs, fs.node(fs.rootId()), "dd");
            assertThatThrownBy(() -> fs.list(dd)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("directory");
        }
    }

    @Test
    void absurdBpbValues() throws Exception {
        Path img = fat16();
        byte[] orig = Files.readAllBytes(img);
        int[][] patches = {
            {11, 3, 2},       // 3-byte sectors
            {11, 0x20, 2},    // 8192-byte sectors
            {13, 3, 1},       // 3 sectors per cluster
            {13, 0, 1},       // 0 sectors per cluster
            {14, 0, 2},       // no reserved sectors
            {16, 0, 1},       // no FAT
            {17, 1, 2},       // root entries not filling a sector
            {19, 0, 2},       // total sectors 16 = 0 and 32 = 0 (below)
            {22, 1, 2},       // a FAT of one sector for thousands of clusters
        };
        for (int[] p : patches) {
            byte[] b = orig.clone();
            for (int i = 0; i < p[2]; i++) b[p[0] + i] = (byte) (p[1] >>> (8 * i));
            if (p[0] == 19) { b[32] = b[33] = b[34] = b[35] = 0; }
            Files.write(img, b);
            try (HostFile f = HostFile.open(img)) {
                assertThatThrownBy(() -> FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget())).as("patch at " + p[0])
                        .isInstanceOf(CorruptImageException.class).hasMessageContaining("BIOS parameter block");
            }
        }
        byte[] b = orig.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(32, 0x7fffffff).putShort(19, (short) 0);
        Files.write(img, b);
        try (HostFile f = HostFile.open(img)) {
            assertThatThrownBy(() -> FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget())).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("exceed the volume");
        }
    }

    /** Random damage to the boot sector, FATs and root directory: only our exceptions, and quickly. */
    @Test
    void randomDamageGivesOnlyCorruptImageExceptions() throws Exception {
        Need.tools("mkfs.vfat", "mcopy");
        Path src = dir.resolve("src");
        FatFixtures.sourceTree(src, 100_000);
        Path img = dir.resolve("f12.img");
        FatFixtures.build(img, 1440, src);
        byte[] orig = Files.readAllBytes(img);
        Random rnd = new Random(7);
        long deadline = System.nanoTime() + 8_000_000_000L;
        for (int round = 0; round < 300 && System.nanoTime() < deadline; round++) {
            byte[] b = orig.clone();
            int flips = 1 + rnd.nextInt(8);
            for (int i = 0; i < flips; i++) {
                // boot sector, both FATs, the root directory and the first data clusters
                int at = rnd.nextInt(round % 3 == 0 ? 512 : 40_000);
                b[at] = (byte) rnd.nextInt(256);
            }
            Files.write(img, b);
            try (HostFile f = HostFile.open(img)) {
                FatFilesystem fs;
                try {
                    fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget());
                } catch (VdetachException e) {
                    continue;
                }
                walkTolerant(fs, fs.node(fs.rootId()), new HashSet<>(), 0);
            }
        }
    }

    /** Visits everything, allowing per-entry CorruptImageExceptions; anything else fails the test. */
    static void walkTolerant(io.vdetach.guestfs.GuestFilesystem fs, Node dir, Set<Long> seen, int depth) throws Exception {
        if (depth > 64 || !seen.add(dir.id())) return;
        java.util.List<DirEntry> entries;
        try {
            entries = fs.list(dir);
        } catch (CorruptImageException e) {
            return;
        }
        for (DirEntry e : entries) {
            try {
                Node n = fs.node(e.id());
                if (n.isDirectory()) walkTolerant(fs, n, seen, depth + 1);
                else GuestTree.sha256(fs.content(n));
            } catch (CorruptImageException ex) {
                assertThat(ex.getMessage()).contains("corrupt");
            }
        }
    }

    private static void patch16(Path img, long at, int value) throws Exception {
        try (RandomAccessFile r = new RandomAccessFile(img.toFile(), "rw")) {
            r.seek(at);
            r.write(value & 0xff);
            r.write(value >>> 8);
        }
    }
}
