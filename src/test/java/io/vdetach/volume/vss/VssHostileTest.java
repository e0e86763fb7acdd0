package io.vdetach.volume.vss;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.testkit.CliProcess;
import io.vdetach.testkit.ImagePatch;
import io.vdetach.testkit.MutatingLayer;
import io.vdetach.testkit.Sh;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus volume with its VSS metadata patched the way damage or an attacker would: each
 * broken store is an error of that store (and of the older ones, which read through it), the
 * live volume and the other stores still extract, and nothing takes long or much memory (each
 * run in a JVM of its own with a 96 MiB heap).
 */
class VssHostileTest {
    @TempDir Path dir;

    /** The corpus's catalog blocks (4, chained) and the stores' block lists (SOURCES.md's volume, read here). */
    private static final long LAST_CATALOG_BLOCK = 0x6e3c000L, FIRST_CATALOG_BLOCK = 0x6e30000L;
    private static final long STORE1_BLOCK_LIST = 0x31564000L, STORE2_BLOCK_LIST = 0x6e44000L;
    private static final long NEXT = 40;
    private static final String HEAP = "96m";

    record Outcome(int exit, String out, String err, double seconds) {}

    private Outcome vdetach(String... args) {
        long t0 = System.nanoTime();
        Sh.Result r = CliProcess.run(HEAP, args);
        Outcome o = new Outcome(r.exit(), r.out(), r.err(), (System.nanoTime() - t0) / 1e9);
        System.out.printf("vdetach %s -> exit %d in %.2f s%n", String.join(" ", args).replace(dir.toString(), "DIR"), o.exit, o.seconds);
        assertThat(o.seconds).as("bounded time").isLessThan(60);
        assertThat(o.err).doesNotContain("internal error", "Exception in thread");
        return o;
    }

    @Test
    void aCatalogThatLoopsLeavesTheLiveVolume() throws Exception {
        Path raw = StoreViewTest.raw(dir);
        ImagePatch.write(raw, LAST_CATALOG_BLOCK + NEXT, le64(FIRST_CATALOG_BLOCK));
        Outcome ls = vdetach("ls", raw.toString());
        assertThat(ls.exit).isEqualTo(1);
        assertThat(ls.err).contains("disk: shadow copies not read", "loops back");
        assertThat(ls.out).contains("disk/password.txt");

        Outcome all = vdetach("extract", "--no-progress", "--json", "--vss", "all", raw.toString(), dir.resolve("all").toString());
        assertThat(all.exit).isEqualTo(1);
        assertThat(all.out).contains("\"name\": \"disk@vss\"", "loops back");
        assertThat(dir.resolve("all/disk/password.txt")).exists();
        assertThat(dir.resolve("all/disk@vss")).doesNotExist();

        Outcome one = vdetach("extract", "--no-progress", "--vss", "1", raw.toString(), dir.resolve("one").toString());
        assertThat(one.exit).as("nothing could be read").isEqualTo(3);
    }

    @Test
    void aBlockListPastTheVolumeFailsThatStoreAndTheOlderOne() throws Exception {
        Path raw = StoreViewTest.raw(dir);
        ImagePatch.write(raw, STORE2_BLOCK_LIST + NEXT, le64(1L << 30));
        Outcome all = vdetach("extract", "--no-progress", "--json", "--vss", "all", raw.toString(), dir.resolve("all").toString());
        assertThat(all.exit).isEqualTo(1);
        assertThat(all.out).contains("next block offset 1073741824 is not a 16 KiB block inside the volume",
                "store 1 reads through store 2, which cannot be read");
        assertThat(dir.resolve("all/disk/password.txt")).exists();
        assertThat(dir.resolve("all/disk@vss1")).doesNotExist();
        assertThat(dir.resolve("all/disk@vss2")).doesNotExist();
    }

    @Test
    void aPreservedBlockPastTheVolumeFailsOnlyItsStore() throws Exception {
        Path raw = StoreViewTest.raw(dir);
        // store 1's descriptor of block 0x142c000: its copy at 1 TiB
        ImagePatch.write(raw, STORE1_BLOCK_LIST + 128 + 32 * 477 + 16, le64(1L << 40));
        Outcome all = vdetach("extract", "--no-progress", "--json", "--vss", "all", raw.toString(), dir.resolve("all").toString());
        assertThat(all.exit).isEqualTo(1);
        assertThat(all.out).contains("store data block offset 1099511627776 is past the volume");
        assertThat(dir.resolve("all/disk@vss1")).doesNotExist();
        assertThat(dir.resolve("all/disk@vss2/syslog.gz")).exists();
        assertThat(dir.resolve("all/disk/password.txt")).exists();
    }

    @Test
    void aBlockListThatLoopsFailsItsStore() throws Exception {
        Path raw = StoreViewTest.raw(dir);
        ImagePatch.write(raw, STORE1_BLOCK_LIST + NEXT, le64(STORE1_BLOCK_LIST));
        Outcome one = vdetach("extract", "--no-progress", "--json", "--vss", "1", raw.toString(), dir.resolve("one").toString());
        assertThat(one.exit).isEqualTo(3);
        assertThat(one.out).contains("store block list block at offset " + STORE1_BLOCK_LIST + ": the chain loops back");
        Outcome two = vdetach("extract", "--no-progress", "--vss", "2", raw.toString(), dir.resolve("two").toString());
        assertThat(two.exit).isZero();
    }

    @Test
    void storesKeptOnAnotherVolumeAreNotRead() throws Exception {
        Path raw = StoreViewTest.raw(dir);
        ImagePatch.write(raw, VolumeHeader.OFFSET + 80, new byte[] {0x11, 0x22, 0x33, 0x44});
        Outcome ls = vdetach("ls", "--volumes-only", raw.toString());
        assertThat(ls.exit).isZero();
        assertThat(ls.out).contains("disk@vss2  600f0b6d-5bdf-11e3-9d6c-005056c00008");
        Outcome all = vdetach("extract", "--no-progress", "--json", "--vss", "all", raw.toString(), dir.resolve("all").toString());
        assertThat(all.exit).isEqualTo(1);
        assertThat(all.out).contains("\"name\": \"disk@vss1\"", "\"name\": \"disk@vss2\"", "is kept on another volume");
        assertThat(dir.resolve("all/disk/password.txt")).exists();
    }

    /**
     * Store 1's block list grown by 1,969 blocks holding 1,000,000 descriptors (each remapping a
     * block of free space to a block of the store's diff area, so the tree stays the same): parsed in
     * bounded time in the 96 MiB JVM, and the store's tree is the one the unpatched store gives.
     */
    @Test
    void aMillionDescriptorsInBoundedTimeAndMemory() throws Exception {
        Path raw = StoreViewTest.raw(dir);
        long chain = 0x20000000L, freeSpace = 0x22000000L, diffArea = 0x3156c000L;
        int descriptors = 1_000_000, perBlock = 508, blocks = (descriptors + perBlock - 1) / perBlock;
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            ByteBuffer b = ByteBuffer.allocate(Vss.BLOCK).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            byte[] header = new byte[16];
            f.seek(STORE1_BLOCK_LIST);
            f.readFully(header); // the VSS identifier, as stored
            int written = 0;
            for (int i = 0; i < blocks; i++) {
                long at = chain + (long) i * Vss.BLOCK;
                b.clear();
                b.put(header).putInt(1).putInt(BlockHeader.BLOCK_LIST).putLong(0).putLong(at)
                        .putLong(i == blocks - 1 ? 0 : at + Vss.BLOCK).putLong(0);
                b.position(BlockHeader.SIZE);
                for (int k = 0; k < perBlock && written < descriptors; k++, written++) {
                    b.putLong(freeSpace + (written % 8192) * (long) Vss.BLOCK).putLong(0)
                            .putLong(diffArea + (written % 1000) * (long) Vss.BLOCK).putInt(0).putInt(0);
                }
                f.seek(at);
                f.write(b.array());
            }
        }
        Outcome before = vdetach("extract", "--no-progress", "--vss", "1", raw.toString(), dir.resolve("before").toString());
        assertThat(before.exit).isZero();
        ImagePatch.write(raw, STORE1_BLOCK_LIST + NEXT, le64(chain));
        Outcome after = vdetach("extract", "--no-progress", "--vss", "1", raw.toString(), dir.resolve("after").toString());
        assertThat(after.exit).as(after.out + after.err).isZero();
        assertThat(io.vdetach.testkit.HostTree.walk(dir.resolve("after/disk@vss1")))
                .isEqualTo(io.vdetach.testkit.HostTree.walk(dir.resolve("before/disk@vss1")));
        try (HostFile vol = HostFile.open(raw)) {
            StoreView v = ShadowCopies.read(vol, "disk", BlockCache.withDefaultBudget()).view(1);
            assertThat(v.map(freeSpace, Vss.BLOCK)).containsExactly(new Run.Mapped(freeSpace, Vss.BLOCK, vol,
                    diffArea + (999_424 % 1000) * (long) Vss.BLOCK)); // the last descriptor of block 0 wins
        }
    }

    /**
     * Seeded random damage to every byte the VSS reader reads (catalog, store headers, block
     * lists, range lists, bitmaps): each mutant's views open and map whole, or fail with a
     * corrupt or unsupported image error; nothing else escapes.
     */
    @Test
    void randomDamageToTheMetadata() throws Exception {
        Path raw = StoreViewTest.raw(dir);
        int rejected = 0, mutants = 400;
        try (HostFile file = HostFile.open(raw)) {
            MutatingLayer vol = new MutatingLayer(file);
            readAll(vol); // records what a pristine read reads
            Random rnd = new Random(16);
            for (int i = 0; i < mutants; i++) {
                var patches = vol.mutate(rnd, 8);
                try {
                    readAll(vol);
                } catch (CorruptImageException | UnsupportedImageException expected) {
                    rejected++;
                } catch (Throwable t) {
                    throw new AssertionError("mutant " + i + " " + patches + " escaped with " + t, t);
                }
            }
        }
        System.out.printf("VSS mutants: %d of %d rejected%n", rejected, mutants);
        assertThat(rejected).isPositive();
    }

    /** Opens the catalog and every store's view, maps each whole and reads the blocks its runs start in. */
    private static void readAll(io.vdetach.extent.Layer vol) throws Exception {
        ShadowCopies vss = ShadowCopies.read(vol, "disk", BlockCache.withDefaultBudget());
        if (vss == null) return;
        for (ShadowStore s : vss.stores()) {
            StoreView v = vss.view(s.index());
            List<Run> runs = v.map(0, v.size());
            ByteBuffer b = ByteBuffer.allocate(Vss.BLOCK);
            for (int i = 0; i < runs.size(); i += Math.max(1, runs.size() / 64)) {
                b.clear();
                v.read(runs.get(i).start(), b);
            }
        }
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
