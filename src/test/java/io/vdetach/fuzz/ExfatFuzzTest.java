package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.exfat.ExfatFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** exFAT: boot region and its checksum, FAT, allocation bitmap, up-case table, directory entry sets. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ExfatFuzzTest {
    private static final class Bases {
        static final PatchedFamily EXFAT = new PatchedFamily(
                (volume, option, files) -> GuestWalk.open(new ExfatFormat(), volume, MountOptions.DEFAULT, files),
                new PatchedFamily.Base("dissect.fat/exfat.bin", () -> FuzzFiles.corpus("dissect.fat/exfat.bin")),
                new PatchedFamily.Base("exfat.img", () -> FuzzFiles.resource("bases/exfat.img.gz")));
    }

    @FuzzTest(maxDuration = "20m")
    void exfat(byte[] input) throws Exception {
        Bases.EXFAT.run(input);
    }
}
