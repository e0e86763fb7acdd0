package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.fat.FatFormat;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** FAT12/16/32: boot sector and BPB, FATs and cluster chains, directories, long names. The option bit reads times in a zone with DST. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FatFuzzTest {
    private static final MountOptions DST = new MountOptions(ZoneId.of("Europe/Berlin"), false);

    private static final class Bases {
        static final PatchedFamily FAT = new PatchedFamily(
                (volume, option, files) -> GuestWalk.open(new FatFormat(), volume, option ? DST : MountOptions.DEFAULT, files),
                new PatchedFamily.Base("rust-fatfs/fat16.img", () -> FuzzFiles.corpus("rust-fatfs/fat16.img")),
                new PatchedFamily.Base("dftt/5-fat-daylight/daylight.dd", () -> FuzzFiles.corpus("dftt/5-fat-daylight/daylight.dd")),
                new PatchedFamily.Base("fat32.img", () -> FuzzFiles.resource("bases/fat32.img.gz")),
                new PatchedFamily.Base("fat12.img", () -> FuzzFiles.resource("bases/fat12.img.gz")));
    }

    @FuzzTest(maxDuration = "20m")
    void fat(byte[] input) throws Exception {
        Bases.FAT.run(input);
    }
}
