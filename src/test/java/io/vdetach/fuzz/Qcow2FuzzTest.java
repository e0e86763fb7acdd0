package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.qcow2.Qcow2Image;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** qcow2 v2/v3: header and extensions, L1/L2 tables (extended L2 too), refcounts, compressed clusters, snapshots, backing file names. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class Qcow2FuzzTest {
    @FuzzTest(maxDuration = "20m")
    void qcow2(byte[] input) throws Exception {
        ImageTarget.sparse(Qcow2Image.FORMAT, "fuzz.qcow2", input);
    }
}
