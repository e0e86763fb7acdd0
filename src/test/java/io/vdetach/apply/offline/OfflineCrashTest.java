package io.vdetach.apply.offline;

import io.vdetach.apply.offline.device.FaultInjectingDevice;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A crash after the k-th block write, for k across the whole run, is always undone byte for byte. */
class OfflineCrashTest {

    /**
     * A qcow2 (an ext4 guest) whose backing file stays: its runs are copied (into free space: the
     * buffer is tiny), then the metadata is written; crashes are sampled across both.
     */
    @Test
    void qcow2WithABackingFileUndoesEveryCrashPoint(@TempDir Path dir) throws Exception {
        OfflineFormatsTest.needTools("ext4");
        Path vm = java.nio.file.Files.createDirectories(dir.resolve("hsrc/vm"));
        OfflineFormatsTest.backingChain(dir, vm, vm, "base.qcow2");
        Path dev = OfflineFormatsTest.host(dir, 0);
        Path pristine = dir.resolve("pristine.ext4");
        Sh.run("cp", "--sparse=always", dev.toString(), pristine.toString());
        String before = HostFixture.sha256(pristine);
        OfflineOptions base = new OfflineOptions(null, false, -1, 8 * 4096);
        OfflineDetach.ItemSource items = d -> GuestItems.of(d, null).items();

        Path undo0 = dir.resolve("undo0");
        OfflineReport full = OfflineDetach.run(dev, null, "/vm/top.qcow2", io.vdetach.image.OpenOptions.DEFAULT, "/restored", items,
                base.undoingTo(undo0));
        long writes = full.blocksCopied() + full.metadataBlocksWritten();
        System.out.println(full.toJson() + " writes=" + writes);
        assertThat(full.blocksCopied()).as("the backing file's runs are copied").isGreaterThan(5000);
        assertThat(Sh.exec(null, "e2fsck", "-fn", dev.toString()).exit()).isZero();
        OfflineDetach.undo(dev, undo0);
        assertThat(HostFixture.sha256(dev)).isEqualTo(before);

        // the first and last writes, the last copy and first metadata write, and points in between
        TreeSet<Long> ks = new TreeSet<>(List.of(0L, 1L, full.blocksCopied() - 1, full.blocksCopied(), full.blocksCopied() + 1, writes - 1));
        for (int i = 1; i <= 5; i++) ks.add(full.blocksCopied() * i / 6);
        for (int i = 1; i <= 2; i++) ks.add(full.blocksCopied() + full.metadataBlocksWritten() * i / 3);
        List<String> seen = new ArrayList<>();
        for (long k : ks) {
            Sh.run("cp", "--sparse=always", pristine.toString(), dev.toString());
            Path undo = dir.resolve("undo-" + k);
            assertThatThrownBy(() -> OfflineDetach.run(dev, null, "/vm/top.qcow2", io.vdetach.image.OpenOptions.DEFAULT, "/restored",
                    items, base.undoingTo(undo).withFaultAfter(k))).isInstanceOf(FaultInjectingDevice.InjectedFault.class);
            if (k > 0) assertThat(HostFixture.sha256(dev)).as("crash after " + k + " writes changed the device").isNotEqualTo(before);
            long restored = OfflineDetach.undo(dev, undo);
            assertThat(HostFixture.sha256(dev)).as("after undo of a crash after " + k + " writes").isEqualTo(before);
            seen.add(k + ":" + restored);
        }
        System.out.println("qcow2 crash points (k:restored) " + seen);
    }

    @Test
    void undoRestoresEveryCrashPoint(@TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck");
        // small pool (copies spill to free space) and small groups: every kind of write happens
        HostFixture fx = HostFixture.make(dir, "/2048", 16, 2000, 48);
        Path pristine = dir.resolve("pristine.ext4");
        Sh.run("cp", "--sparse=always", fx.device().toString(), pristine.toString());
        String before = HostFixture.sha256(pristine);
        OfflineOptions base = new OfflineOptions(null, false, -1, 8 * 4096);

        // a full run tells how many block writes there are
        Path undo0 = dir.resolve("undo0");
        OfflineReport full = run(fx.device(), base.undoingTo(undo0));
        long writes = full.blocksCopied() + full.metadataBlocksWritten();
        System.out.println(full.toJson() + " writes=" + writes);
        assertThat(Sh.exec(null, "e2fsck", "-fn", fx.device().toString()).exit()).isZero();
        OfflineDetach.undo(fx.device(), undo0);
        assertThat(HostFixture.sha256(fx.device())).isEqualTo(before);

        TreeSet<Long> ks = new TreeSet<>(List.of(0L, 1L, writes - 1));
        for (int i = 1; i <= 6; i++) ks.add(writes * i / 7);
        List<String> seen = new ArrayList<>();
        for (long k : ks) {
            Sh.run("cp", "--sparse=always", pristine.toString(), fx.device().toString());
            Path undo = dir.resolve("undo-" + k);
            assertThatThrownBy(() -> run(fx.device(), base.undoingTo(undo).withFaultAfter(k)))
                    .isInstanceOf(FaultInjectingDevice.InjectedFault.class);
            if (k > 0) assertThat(HostFixture.sha256(fx.device())).as("crash after " + k + " writes changed the device").isNotEqualTo(before);
            long restored = OfflineDetach.undo(fx.device(), undo);
            assertThat(HostFixture.sha256(fx.device())).as("after undo of a crash after " + k + " writes").isEqualTo(before);
            seen.add(k + ":" + restored);
        }
        System.out.println("crash points (k:restored) " + seen);
    }

    private static OfflineReport run(Path dev, OfflineOptions o) throws Exception {
        try (OfflineSession s = OfflineSession.open(dev, "vm/disk.img")) {
            return s.detach("x", CarvedGuest.standard(s.image(), 300).items, o);
        }
    }
}
