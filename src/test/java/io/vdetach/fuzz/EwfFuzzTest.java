package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.ewf.EwfImage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * EWF (E01) of one segment: file header, section chain (header, header2, volume/disk, table,
 * table2, sectors, data, error2, hash, digest, done), chunk tables, deflated and stored chunks,
 * checksums, acquisition data.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EwfFuzzTest {
    @FuzzTest(maxDuration = "20m")
    void ewf(byte[] input) throws Exception {
        ImageTarget.sparse(EwfImage.FORMAT, "fuzz.E01", input);
    }
}
