package io.vdetach.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The conformance corpus of third-party images, {@code ../shared/testdata} beside the
 * checkout (CI lays shared/ there too). Facts about each are in its SOURCES.md.
 */
public final class Corpus {
    private Corpus() {}

    public static Path root() {
        return Path.of(System.getProperty("user.dir")).resolve("../shared/testdata").normalize();
    }

    /** The corpus file, or the test is skipped with a printed reason when the corpus is absent. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        boolean ok = Files.isRegularFile(p);
        if (!ok) System.out.println("SKIP: conformance corpus file missing: " + p);
        assumeTrue(ok, "corpus file " + p);
        return p;
    }
}
