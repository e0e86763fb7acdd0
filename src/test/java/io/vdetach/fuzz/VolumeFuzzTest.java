package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Partition tables and LVM: MBR (extended and logical partitions), GPT (headers, entry arrays,
 * backup), LVM2 labels, metadata area headers and metadata text; every volume found is mapped and
 * read. {@code partitions} and {@code lvm} take a {@link SparseFile} disk (seeds: MBR/GPT disks,
 * LVM physical volumes); {@code lvmText} takes the metadata text of a {@link LvmDisk}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VolumeFuzzTest {
    /** Disks the inputs stand for are at most this large. */
    private static final int MAX_DISK = 16 << 20;
    private static final long READ_BUDGET = 8L << 20;

    @FuzzTest(maxDuration = "20m")
    void partitions(byte[] input) throws Exception {
        scan(SparseFile.decode(input, MAX_DISK));
    }

    @FuzzTest(maxDuration = "20m")
    void lvm(byte[] input) throws Exception {
        scan(SparseFile.decode(input, MAX_DISK));
    }

    @FuzzTest(maxDuration = "20m")
    void lvmText(byte[] input) throws Exception {
        scan(LvmDisk.withText(input));
    }

    private static void scan(byte[] disk) throws Exception {
        Layer layer = HostFile.inMemory(FuzzFiles.DIR.resolve("disk.img"), disk);
        Invariant.onlyOurErrors(() -> {
            LayerWalk walk = new LayerWalk(READ_BUDGET, null);
            for (Volume v : VolumeScanner.scan(layer)) {
                if (v.size() != v.layer().size()) throw new AssertionError(v + ": layer of " + v.layer().size() + " bytes");
                walk.walk(v.layer());
            }
        });
    }
}
