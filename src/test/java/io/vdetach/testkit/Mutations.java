package io.vdetach.testkit;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Seeded random damage to the metadata of a real image: each mutant must open and read
 * completely, or fail with a corrupt/unsupported-image error; nothing else (no EOF, index,
 * arithmetic or allocation error, no hang) may escape.
 */
public final class Mutations {
    private Mutations() {}

    /** Opens a mutated copy; returns the layer to read whole (closed by the caller via the file). */
    public interface Opener {
        Layer open(HostFile file) throws Exception;
    }

    /**
     * Makes {@code count} mutants of {@code image}, each with 1..8 random bytes changed inside
     * one of {@code regions} ({start, length} pairs), opens and reads each.
     */
    /** A 4 MiB raw disk: random, zero, random, zero MiB (for quick mutation runs). */
    public static Path smallRaw(Path dir) {
        Path raw = dir.resolve("small.raw");
        Sh.bash("{ head -c 1048576 /dev/urandom; head -c 1048576 /dev/zero; head -c 1048576 /dev/urandom;"
                + " head -c 1048576 /dev/zero; } > " + raw);
        return raw;
    }

    public static int run(Path image, long[][] regions, int count, long seed, Opener opener) throws Exception {
        byte[] original = Files.readAllBytes(image);
        Random rnd = new Random(seed);
        Path mutant = image.resolveSibling("mutant-" + image.getFileName());
        int rejected = 0;
        for (int i = 0; i < count; i++) {
            byte[] d = original.clone();
            long[] r = regions[rnd.nextInt(regions.length)];
            int flips = 1 + rnd.nextInt(8);
            StringBuilder what = new StringBuilder();
            for (int f = 0; f < flips; f++) {
                int at = (int) (r[0] + rnd.nextLong(r[1]));
                byte v = rnd.nextInt(4) == 0 ? (byte) 0xff : (byte) rnd.nextInt(256);
                d[at] = v;
                what.append(String.format(" @%d=%02x", at, v));
            }
            Files.write(mutant, d);
            try (HostFile f = HostFile.open(mutant)) {
                Layer l = opener.open(f);
                ByteBuffer b = ByteBuffer.allocate(1 << 20);
                // a mutant may claim terabytes: read its first 8 MiB, map its first GiB
                for (long pos = 0; pos < Math.min(l.size(), 8L << 20); pos += b.capacity()) {
                    b.clear();
                    l.read(pos, b);
                }
                l.map(0, Math.min(l.size(), 1L << 30));
            } catch (CorruptImageException | UnsupportedImageException expected) {
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError("mutant " + i + " (" + what + ") escaped with " + t, t);
            }
        }
        Files.deleteIfExists(mutant);
        return rejected;
    }
}
