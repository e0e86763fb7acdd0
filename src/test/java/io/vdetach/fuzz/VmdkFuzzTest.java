package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.vmdk.VmdkImage;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * VMDK: a hosted sparse file (header, embedded descriptor, grain directory and tables, COWD), a
 * streamOptimized file (compressed grains, markers, footer), and a descriptor file whose extents
 * name files of {@link FuzzFiles#DIR} ({@code flat.bin}, {@code sparse-s001.vmdk}, {@code stream.vmdk}), and
 * an SESparse extent.
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

    /**
     * The input is an SESparse extent (a {@link SparseFile}; ESXi's snapshot delta format): header,
     * volatile header, grain directory and tables, grains, under a fixed seSparse descriptor.
     */
    @FuzzTest(maxDuration = "20m")
    void seSparse(byte[] input) throws Exception {
        SparseFile.write(SparseFile.decode(input, ImageTarget.MAX_FILE), FuzzFiles.DIR.resolve(SESPARSE_EXTENT));
        ImageTarget.open(VmdkImage.FORMAT, "fuzz-sesparse.vmdk", SESPARSE_DESCRIPTOR);
    }

    private static final String SESPARSE_EXTENT = "fuzz-sesparse-delta.vmdk";
    private static final byte[] SESPARSE_DESCRIPTOR = ("# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n"
            + "createType=\"seSparse\"\n\nRW 1048576 SESPARSE \"" + SESPARSE_EXTENT + "\"\n").getBytes(StandardCharsets.US_ASCII);
}
