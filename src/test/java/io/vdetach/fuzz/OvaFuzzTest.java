package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.ova.OvaImage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** OVA: tar headers (ustar, pax extended headers, GNU long names), the OVF descriptor, and the VMDK members it names, read in place. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OvaFuzzTest {
    @FuzzTest(maxDuration = "20m")
    void ova(byte[] input) throws Exception {
        ImageTarget.sparse(OvaImage.FORMAT, "fuzz.ova", input);
    }
}
