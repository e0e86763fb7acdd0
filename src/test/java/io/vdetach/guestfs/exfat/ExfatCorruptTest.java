package io.vdetach.guestfs.exfat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.fat.FatCorruptTestAccess;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.GuestTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Windows-made corpus exFAT image with bytes patched: damage is a CorruptImageException, per entry where it can be. */
class ExfatCorruptTest {
    @TempDir Path dir;

    private Path copy() throws Exception {
        Path img = dir.resolve("exfat.bin");
        Files.copy(Corpus.file("dissect.fat/exfat.bin"), img);
        img.toFile().setWritable(true);
        return img;
    }

    @Test
    void badMainBootChecksumFallsBackToBackup() throws Exception {
        Path img = copy();
        ExfatPatch.bytes(img, 512 + 100, new byte[] {0x5a}); // inside extended boot sector 1
        try (HostFile f = HostFile.open(img)) {
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            assertThat(fs.label()).isEqualTo("THESIS");
            assertThat(fs.warnings()).anySatisfy(w -> assertThat(w).contains("backup boot region"));
        }
    }

    @Test
    void badMainAndBackupBootChecksumIsCorrupt() throws Exception {
        Path img = copy();
        ExfatPatch.bytes(img, 512 + 100, new byte[] {0x5a});
        ExfatPatch.bytes(img, 12 * 512 + 512 + 100, new byte[] {0x5a});
        try (HostFile f = HostFile.open(img)) {
            assertThatThrownBy(() -> ExfatFilesystem.open(f, BlockCache.withDefaultBudget())).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("exfat").hasMessageContaining("boot checksum sector")
                    .hasMessageContaining("offset " + 11 * 512);
        }
    }

    @Test
    void badSetChecksumFailsThatEntryOnly() throws Exception {
        Path img = copy();
        long putty = puttyId(img);
        ExfatPatch.set(img, putty, false, b -> b.put(8, (byte) (b.get(8) ^ 1))); // a timestamp bit, checksum left stale
        try (HostFile f = HostFile.open(img)) {
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            Node dir = ExfatCorpusTest.child(fs, fs.node(fs.rootId()), "directory");
            assertThat(ExfatCorpusTest.names(fs, dir)).contains("putty.exe");
            assertThatThrownBy(() -> ExfatCorpusTest.child(fs, dir, "putty.exe")).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("SetChecksum").hasMessageContaining("offset " + putty);
            assertThat(ExfatCorpusTest.child(fs, fs.node(fs.rootId()), "find_me.txt").size()).isPositive();
        }
    }

    @Test
    void readOnlyAttributeDropsWriteBits() throws Exception {
        Path img = copy();
        long putty = puttyId(img);
        ExfatPatch.set(img, putty, true, b -> b.put(4, (byte) (b.get(4) | 1)));
        try (HostFile f = HostFile.open(img)) {
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            Node dir = ExfatCorpusTest.child(fs, fs.node(fs.rootId()), "directory");
            assertThat(ExfatCorpusTest.child(fs, dir, "putty.exe").mode()).isEqualTo(0555);
            assertThat(dir.mode()).isEqualTo(0755);
        }
    }

    @Test
    void clustersOutsideTheHeapFailThatFile() throws Exception {
        Path img = copy();
        long putty = puttyId(img);
        ExfatPatch.set(img, putty, true, b -> b.putInt(32 + 20, 0x7fffff00));
        try (HostFile f = HostFile.open(img)) {
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            Node p = ExfatCorpusTest.child(fs, ExfatCorpusTest.child(fs, fs.node(fs.rootId()), "directory"), "putty.exe");
            assertThatThrownBy(() -> fs.content(p)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("outside").hasMessageContaining("putty.exe");
        }
    }

    /** Absurd boot sector fields, written to both boot regions with their checksums recomputed. */
    @Test
    void absurdBootSectorValues() throws Exception {
        Object[][] edits = {
            {109, new byte[] {30}, "SectorsPerClusterShift"},
            {92, new byte[] {(byte) 0xf0, (byte) 0xff, (byte) 0xff, (byte) 0xff}, "ClusterCount"},
            {96, new byte[] {1, 0, 0, 0}, "root directory cluster"},
            {80, new byte[] {1, 0, 0, 0}, "FatOffset"},
            {110, new byte[] {3}, "NumberOfFats"},
            {84, new byte[] {1, 0, 0, 0}, "FatLength"},
        };
        for (Object[] e : edits) {
            Path img = copy();
            for (long region : new long[] {0, 12 * 512}) {
                ExfatPatch.bytes(img, region + (Integer) e[0], (byte[]) e[1]);
                fixBootChecksum(img, region);
            }
            try (HostFile f = HostFile.open(img)) {
                assertThatThrownBy(() -> ExfatFilesystem.open(f, BlockCache.withDefaultBudget())).as((String) e[2]).isInstanceOf(CorruptImageException.class)
                        .hasMessageContaining((String) e[2]).hasMessageContaining("boot sector");
            }
            Files.delete(img);
        }
    }

    @Test
    void rootDirectoryChainCycleIsCorruptNotAHang() throws Exception {
        Path img = copy();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(img)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long fat = (b.getInt(80) & 0xffffffffL) * 512;
        int root = b.getInt(96);
        ExfatPatch.bytes(img, fat + 4L * root, java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(root).array());
        try (HostFile f = HostFile.open(img)) {
            assertThatThrownBy(() -> ExfatFilesystem.open(f, BlockCache.withDefaultBudget())).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("root directory");
        }
    }

    /** Recomputes the boot region's checksum sector (spec section 3.4) after a test edit. */
    private static void fixBootChecksum(Path img, long region) throws Exception {
        byte[] all = Files.readAllBytes(img);
        java.nio.ByteBuffer r = java.nio.ByteBuffer.wrap(all, (int) region, 12 * 512).slice();
        int sum = 0;
        for (int i = 0; i < 11 * 512; i++) {
            if (i == 106 || i == 107 || i == 112) continue;
            sum = ((sum & 1) != 0 ? 0x80000000 : 0) + (sum >>> 1) + (r.get(i) & 0xff);
        }
        java.nio.ByteBuffer sector = java.nio.ByteBuffer.allocate(512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 128; i++) sector.putInt(sum);
        ExfatPatch.bytes(img, region + 11 * 512, sector.array());
    }

    @Test
    void randomDamageGivesOnlyCorruptImageExceptions() throws Exception {
        Path img = copy();
        byte[] orig = Files.readAllBytes(img);
        Random rnd = new Random(11);
        long deadline = System.nanoTime() + 8_000_000_000L;
        for (int round = 0; round < 300 && System.nanoTime() < deadline; round++) {
            byte[] b = orig.clone();
            int flips = 1 + rnd.nextInt(6);
            for (int i = 0; i < flips; i++) {
                // FAT, bitmap, up-case table, root and the first directories: the first 160 KiB after the boot regions
                int at = 24 * 512 + rnd.nextInt(160 << 10);
                b[at] = (byte) rnd.nextInt(256);
            }
            Files.write(img, b);
            try (HostFile f = HostFile.open(img)) {
                ExfatFilesystem fs;
                try {
                    fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
                } catch (VdetachException e) {
                    continue;
                }
                FatCorruptTestAccess.walkTolerant(fs, fs.node(fs.rootId()), new HashSet<>(), 0);
            }
        }
    }

    private static long puttyId(Path img) throws Exception {
        try (HostFile f = HostFile.open(img)) {
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            Node dir = ExfatCorpusTest.child(fs, fs.node(fs.rootId()), "directory");
            long id = ExfatCorpusTest.child(fs, dir, "putty.exe").id();
            assertThat((id - fs.heapStart()) % 512).as("set within one cluster").isLessThan(512 - 3 * 32 + 1);
            assertThat(GuestTree.walk(fs)).isNotEmpty();
            return id;
        }
    }
}
