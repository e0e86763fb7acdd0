package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.vmdk.VmdkImage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * VMDK: a hosted sparse file (header, embedded descriptor, grain directory and tables, COWD), a
 * streamOptimized file (compressed grains, markers, footer), and a descriptor file whose extents
 * name files of {@link FuzzFiles#DIR} ({@code flat.bin}, {@code sparse-s001.vmdk}, {@code stream.vmdk}).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VmdkFuzzTest {
    @FuzzTest(maxDuration = "20m")
    void sparse(byte[] input) throws Exception {
        ImageTarget.sparse(VmdkImage.FORMAT, "fuzz.vmdk", input);
    }

    @FuzzTest(maxDuration = "20m")
    void streamOptimized(byte[] input) throws Exception {
        ImageTarget.sparse(VmdkImage.FORMAT, "fuzz-stream.vmdk", input);
    }

    /** The input is the descriptor file itself (text). */
    @FuzzTest(maxDuration = "20m")
    void descriptor(byte[] input) throws Exception {
        ImageTarget.open(VmdkImage.FORMAT, "fuzz-descriptor.vmdk", input);
    }
}
