package io.vdetach.guestfs.fat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.error.VdetachException;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Recovered;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Seeded random damage to an image with deleted entries, then the whole deleted-entry scan: every
 * entry handed out, each content mapped whole and its first MiB read. Only our own exceptions may
 * come out, and every mutant must finish within the time given.
 */
public final class DeletedMutants {
    private DeletedMutants() {}

    @FunctionalInterface
    public interface Opener {
        GuestFilesystem open(HostFile f) throws Exception;
    }

    /**
     * @param regions {start, length} byte ranges to damage
     * @return mutants scanned to the end (not rejected at open or during the scan)
     */
    public static int run(Path image, long[][] regions, int rounds, long seed, long millis, Opener opener) throws Exception {
        byte[] orig = Files.readAllBytes(image);
        Random rnd = new Random(seed);
        Path mutant = image.resolveSibling("mutant-" + image.getFileName());
        long deadline = System.nanoTime() + millis * 1_000_000L;
        int completed = 0;
        int round = 0;
        for (; round < rounds && System.nanoTime() < deadline; round++) {
            byte[] b = orig.clone();
            long[] r = regions[rnd.nextInt(regions.length)];
            int flips = 1 + rnd.nextInt(8);
            for (int i = 0; i < flips; i++) {
                b[(int) (r[0] + rnd.nextLong(r[1]))] = rnd.nextInt(4) == 0 ? (byte) 0xff : (byte) rnd.nextInt(256);
            }
            Files.write(mutant, b);
            long start = System.nanoTime();
            try (HostFile f = HostFile.open(mutant)) {
                GuestFilesystem fs = opener.open(f);
                DeletedEntries d = fs.deleted().orElseThrow();
                int n = 0;
                for (Recovered e; (e = d.next()) != null; n++) {
                    assertThat(n).as("entries handed out").isLessThan(1_000_000);
                    if (e.content() == null) continue;
                    assertThat(e.content().size()).isEqualTo(e.node().size());
                    e.content().map(0, e.content().size());
                    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, e.content().size()));
                    e.content().readFully(0, buf);
                }
                completed++;
            } catch (VdetachException e) {
                // rejected: fine, it is ours
            }
            assertThat((System.nanoTime() - start) / 1_000_000).as("milliseconds for mutant " + round).isLessThan(20_000);
        }
        System.out.println(image.getFileName() + ": " + round + " mutants, " + completed + " scanned to the end");
        return completed;
    }
}
