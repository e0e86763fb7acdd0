package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.xfs.XfsFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** XFS v4/v5: superblock, AG headers, inodes, bmap btrees, every directory and attribute form, the log's dirty check. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class XfsFuzzTest {
    private static final class Bases {
        static final PatchedFamily XFS = new PatchedFamily(
                (volume, option, files) -> GuestWalk.open(new XfsFormat(), volume, MountOptions.DEFAULT, files),
                new PatchedFamily.Base("dissect.xfs/xfs.bin", () -> FuzzFiles.corpus("dissect.xfs/xfs.bin")),
                new PatchedFamily.Base("xfs.img", () -> FuzzFiles.resource("bases/xfs.img.gz")));
    }

    @FuzzTest(maxDuration = "20m")
    void xfs(byte[] input) throws Exception {
        Bases.XFS.run(input);
    }
}
