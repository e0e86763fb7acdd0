package io.vdetach.fuzz;

import io.vdetach.image.ImageOpener;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.Openers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Where fuzz targets find their files: committed bases and fixtures (gzip, under
 * {@code src/test/resources/io/vdetach/fuzz/}), the conformance corpus, and one scratch directory
 * per JVM that an in-memory image "lives in", so the names it holds (backing files, extents,
 * parents) resolve to small real files there, or to nothing.
 */
final class FuzzFiles {
    private FuzzFiles() {}

    /** The directory an in-memory image is named in; it holds {@link #PARENT} and the VMDK extents. */
    static final Path DIR = scratch();
    /** A 1 MiB raw image every generated differencing seed names as its parent. */
    static final String PARENT = "parent.raw";

    /** An opener for images in {@link #DIR}: relative names resolve there, nothing outside it is followed. */
    static ImageOpener opener() {
        return Openers.forDirectory(DIR);
    }

    /** The bytes of a committed resource, gunzipped when its name ends in ".gz". */
    static byte[] resource(String name) {
        try (InputStream in = FuzzFiles.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing test resource io/vdetach/fuzz/" + name);
            return name.endsWith(".gz") ? new GZIPInputStream(in).readAllBytes() : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file of the conformance corpus, or null when the corpus is not beside the checkout. */
    static byte[] corpus(String relative) {
        Path p = Corpus.root().resolve(relative);
        try {
            return Files.isRegularFile(p) ? Files.readAllBytes(p) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Corpus files that are one image split in pieces, joined; null when one is missing. */
    static byte[] corpusJoined(String... pieces) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String p : pieces) {
            byte[] b = corpus(p);
            if (b == null) return null;
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static Path scratch() {
        try {
            Path dir = Files.createTempDirectory("vdetach-fuzz").toRealPath();
            dir.toFile().deleteOnExit();
            byte[] parent = new byte[1 << 20];
            for (int i = 0; i < parent.length; i++) parent[i] = (byte) (i * 31 + (i >>> 9));
            write(dir.resolve(PARENT), parent);
            for (String f : new String[] {"flat.bin", "sparse-s001.vmdk", "stream.vmdk"}) {
                write(dir.resolve(f), resource("fixtures/" + f + ".gz"));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, byte[] bytes) throws IOException {
        Files.write(p, bytes);
        p.toFile().deleteOnExit();
    }
}
