package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.vdi.VdiImage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** VDI fixed, dynamic and differencing: header, block map, parent by UUID. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VdiFuzzTest {
    @FuzzTest(maxDuration = "20m")
    void vdi(byte[] input) throws Exception {
        ImageTarget.sparse(VdiImage.FORMAT, "fuzz.vdi", input);
    }
}
