package io.vdetach.apply.offline;

import io.vdetach.extent.RunTable;
import io.vdetach.extent.Run;
import io.vdetach.extent.Window;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point of the method, measured: on a 384 MiB host with a 256 MiB image, detaching
 * about 240 MiB of guest files writes under 1% of that in blocks (copies + metadata).
 */
class OfflineScaleTest {

    @Test
    void writesUnderOnePercentOfTheData(@TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck", "losetup", "mount");
        HostFixture fx = HostFixture.make(dir, "", 256, 10, 384);
        Path undo = dir.resolve("undo");
        CarvedGuest g;
        OfflineReport r;
        long t0 = System.nanoTime();
        try (OfflineSession s = OfflineSession.open(fx.device(), "vm/disk.img")) {
            g = new CarvedGuest(s.image());
            g.dir("", 0755, Instant.ofEpochSecond(1700000000));
            g.dir("big", 0755, Instant.ofEpochSecond(1700000000));
            g.dir("small", 0755, Instant.ofEpochSecond(1700000000));
            long bs = 4096;
            long off = 0;
            // 36 files of about 6 MiB, each ending in a partial block
            for (int i = 0; i < 36; i++) {
                long len = 6L * 1024 * 1024 - 1000 - i;
                g.slice("big/file-" + i, off, len);
                off += Math.ceilDiv(len, bs) * bs;
            }
            // 2000 small files of one to three blocks
            for (int i = 0; i < 2000; i++) {
                long len = 1000 + (i * 37L) % 10000;
                g.slice("small/f-" + i, off, len);
                off += Math.ceilDiv(len, bs) * bs;
            }
            // one fragmented 8 MiB file (every other block): an extent tree of depth >= 1
            RunTable.Builder tb = RunTable.builder(2048L * bs);
            for (int k = 0; k < 2048; k++) tb.add(new Run.Mapped(k * bs, bs, s.image(), off + 2L * k * bs));
            g.file("fragmented", new CarvedGuest.TableLayer(tb.build()), 0644, Instant.ofEpochSecond(1700000000), List.of());
            System.out.printf("guest tree carved in %.2f s%n", (System.nanoTime() - t0) / 1e9);
            r = s.detach("extracted", g.items, OfflineOptions.withUndo(undo));
        }
        System.out.println(r.toJson());
        long dataBlocks = r.bytesTotal() / 4096;
        long written = r.blocksCopied() + r.metadataBlocksWritten();
        System.out.printf("data %d MiB in %d files, blocks written %d (%.3f%% of %d data blocks), undo file %d KiB%n",
                r.bytesTotal() >> 20, r.files(), written, 100.0 * written / dataBlocks, dataBlocks, Files.size(undo) >> 10);
        assertThat(written).isLessThanOrEqualTo(dataBlocks / 100);
        Sh.Result fsck = Sh.exec(null, "e2fsck", "-fn", fx.device().toString());
        assertThat(fsck.exit()).as(fsck.out()).isZero();
        try (LoopMount m = LoopMount.readOnly(fx.device(), 0, 0, "ext4", "")) {
            TreeMap<String, EntryFacts> actual = HostTree.walk(m.path().resolve("extracted"));
            TreeAssert.assertSameTree(g.expected, actual);
        }
    }
}
