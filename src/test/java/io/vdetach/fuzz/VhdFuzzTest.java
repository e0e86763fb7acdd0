package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.vhd.VhdImage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** VHD fixed, dynamic and differencing: footer, dynamic header, BAT, sector bitmaps, parent locators. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VhdFuzzTest {
    @FuzzTest(maxDuration = "20m")
    void vhd(byte[] input) throws Exception {
        ImageTarget.sparse(VhdImage.FORMAT, "fuzz.vhd", input);
    }
}
