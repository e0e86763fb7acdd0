package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.ext.ExtFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** ext2/3/4: superblock, group descriptors, inodes, extent trees, block maps, directories (linear, htree, inline), xattrs. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ExtFuzzTest {
    private static final class Bases {
        static final PatchedFamily EXT = new PatchedFamily(
                (volume, option, files) -> GuestWalk.open(new ExtFormat(), volume, MountOptions.DEFAULT, files),
                new PatchedFamily.Base("go-ext4/hierarchy_64.ext4", () -> FuzzFiles.corpus("go-ext4/hierarchy_64.ext4")),
                new PatchedFamily.Base("dfvfs/ext2.splitraw", () -> FuzzFiles.corpusJoined("dfvfs/ext2.splitraw.000",
                        "dfvfs/ext2.splitraw.001")),
                new PatchedFamily.Base("ext2.img", () -> FuzzFiles.resource("bases/ext2.img.gz")),
                new PatchedFamily.Base("ext3.img", () -> FuzzFiles.resource("bases/ext3.img.gz")),
                new PatchedFamily.Base("ext4.img", () -> FuzzFiles.resource("bases/ext4.img.gz")));
    }

    @FuzzTest(maxDuration = "20m")
    void ext(byte[] input) throws Exception {
        Bases.EXT.run(input);
    }
}
