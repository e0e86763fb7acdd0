package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.ewf.EwfImage;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * EWF (E01): file header, section chain (header, header2, volume/disk, table, table2, sectors, data,
 * error2, hash, digest, done), chunk tables, deflated and stored chunks, checksums, acquisition data;
 * of one segment, and of a set of segments (the chain from one segment to the next, segment numbers,
 * tables that end in one segment and go on in the next).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EwfFuzzTest {
    /** Each segment of a set: the files are real (the reader finds segments by name), the first in memory. */
    private static final int MAX_SEGMENT = ImageTarget.MAX_FILE / FileSet.MAX_FILES;

    @FuzzTest(maxDuration = "20m")
    void ewf(byte[] input) throws Exception {
        ImageTarget.sparse(EwfImage.FORMAT, "fuzz.E01", input);
    }

    /** The input is a {@link FileSet}: fuzzset.E01, .E02, … */
    @FuzzTest(maxDuration = "20m")
    void segments(byte[] input) throws Exception {
        List<byte[]> files = FileSet.decode(input, MAX_SEGMENT);
        for (int i = 2; i <= FileSet.MAX_FILES; i++) {
            // a segment left by the previous input would make this one's result depend on it
            Files.deleteIfExists(FuzzFiles.DIR.resolve(segment(i)));
        }
        for (int i = 1; i < files.size(); i++) SparseFile.write(files.get(i), FuzzFiles.DIR.resolve(segment(i + 1)));
        ImageTarget.open(EwfImage.FORMAT, segment(1), files.get(0));
    }

    private static String segment(int n) {
        return String.format("fuzzset.E%02d", n);
    }
}
