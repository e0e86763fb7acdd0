package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vdetach.extent.BlockCache;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 5: an LZNT1-compressed file (ntfs-3g wrote it) whose mapping pairs were patched to
 * runs of 2^28 - 16 clusters each, on a volume that claims 1 TiB (the 16 MiB mkntfs volume,
 * its boot sector's sector count patched, in a sparse 1 TiB file). Classifying its compression
 * units one by one built a table entry per unit until the heap was gone; now ls lists it at once,
 * and extract refuses its 3 TiB of "data" at the volume's size.
 */
class NtfsHostileCompressionTest {
    @TempDir Path dir;

    static final long RUN = (1L << 28) - 16;
    static final int RUNS = 3;
    static final int CLUSTER = 4096;

    @Test
    void runsOfAQuarterBillionClustersAreListedAtOnce() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "setfattr");
        NtfsFixture.Disk disk = NtfsFixture.build(dir, NtfsFixture.Layout.BARE, CLUSTER, 16L << 20, """
                set -eu
                mkdir c
                setfattr -n system.ntfs_attrib_be -v 0x00000800 c
                yes 'compress me please' | head -c 300000 > c/text
                printf plain > plain
                """);
        Path img = disk.image();
        byte[] b = Files.readAllBytes(img);
        long n = record(b, "c", "text");
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int rec = (int) (bb.getLong(0x30) * CLUSTER + n * 1024);
        int attr = NtfsCorruptTest.attribute(b, rec, Attribute.DATA);
        assertThat(b[attr + 8]).as("non-resident").isEqualTo((byte) 1);
        assertThat(NtfsCorruptTest.u16(b, attr + 12) & Attribute.FLAG_COMPRESSED).isNotZero();
        int pairs = NtfsCorruptTest.u16(b, attr + 32);
        int room = bb.getInt(attr + 4) - pairs;
        // Three runs: header 0x14 (4-byte length, 1-byte LCN delta), all at cluster 16, then the end mark.
        ByteBuffer runs = ByteBuffer.allocate(RUNS * 6 + 1).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < RUNS; i++) runs.put((byte) 0x14).putInt((int) RUN).put((byte) (i == 0 ? 16 : 0));
        runs.put((byte) 0);
        assertThat(room).as("mapping pairs room").isGreaterThanOrEqualTo(runs.capacity());
        for (int i = 0; i < runs.capacity(); i++) NtfsCorruptTest.patch(b, rec, attr - rec + pairs + i, runs.get(i));
        long size = RUNS * RUN * CLUSTER;
        putLong(b, rec, attr - rec + 24, RUNS * RUN - 1); // last VCN
        for (int field : new int[] {40, 48, 56}) putLong(b, rec, attr - rec + field, size); // allocated, data, initialized sizes
        putLong(b, 0, 0x28, 1L << 31); // the boot sector's sector count: 1 TiB
        Files.write(img, b);
        Sh.run("truncate", "-s", "1T", img.toString());

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (io.vdetach.extent.HostFile f = io.vdetach.extent.HostFile.open(img);
                 NtfsFilesystem fs = NtfsFilesystem.open(f, false, BlockCache.withDefaultBudget())) {
                Node file = fs.node(n);
                assertThat(file.size()).isEqualTo(size);
                assertThat(fs.content(file).map(0, size)).as("one run per claimed run").hasSizeLessThanOrEqualTo(RUNS);
            }
        });
        Cli.Run ls = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Cli.run("ls", img.toString()));
        assertThat(ls.exit()).as(ls.out() + ls.err()).isZero();
        assertThat(ls.out()).contains(size + "  disk/c/text");
        Cli.Run ex = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> Cli.run("extract", "--mode", "copy", img.toString(), dir.resolve("out").toString()));
        assertThat(ex.exit()).as(ex.out() + ex.err()).isEqualTo(1);
        assertThat(ex.err()).contains("vdetach: error: disk/c/text: not extracted", "output cap of 1099511627776 bytes");
        assertThat(dir.resolve("out/disk/plain")).hasContent("plain");
    }

    private static long record(byte[] img, String... path) throws Exception {
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            long id = fs.rootId();
            for (String p : path) {
                Node cur = fs.node(id);
                id = -1;
                for (DirEntry e : fs.list(cur)) if (new String(e.name(), StandardCharsets.UTF_8).equals(p)) id = e.id();
                assertThat(id).as(p).isPositive();
            }
            return id;
        }
    }

    /** Writes a little-endian long at {@code off} of the record at {@code rec} (through its update sequence). */
    private static void putLong(byte[] img, int rec, int off, long v) {
        for (int i = 0; i < 8; i++) {
            int value = (int) (v >>> (8 * i)) & 0xff;
            if (rec == 0) img[off + i] = (byte) value;
            else NtfsCorruptTest.patch(img, rec, off + i, value);
        }
    }
}
