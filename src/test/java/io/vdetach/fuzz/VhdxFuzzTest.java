package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.vhdx.VhdxImage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** VHDX: file identifier, headers, region tables, log (replayed in memory), metadata, BAT, sector bitmaps, parent locators. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VhdxFuzzTest {
    @FuzzTest(maxDuration = "20m")
    void vhdx(byte[] input) throws Exception {
        ImageTarget.sparse(VhdxImage.FORMAT, "fuzz.vhdx", input);
    }
}
