package io.vdetach.guestfs.ntfs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Times a full listing (every directory listed, every entry's node read, as {@code vdetach ls
 * --long} needs) of the NTFS image named by {@code -Dntfs.bench.image=PATH}; skipped without it.
 */
class NtfsListingBenchmark {

    @Test
    void listEverything() throws Exception {
        String image = System.getProperty("ntfs.bench.image");
        assumeTrue(image != null, "set -Dntfs.bench.image=PATH to run");
        long t0 = System.nanoTime();
        long[] counts = new long[2];
        double scan;
        try (HostFile f = HostFile.open(Path.of(image)); NtfsFilesystem fs = NtfsFilesystem.open(f, false, BlockCache.withDefaultBudget())) {
            Node root = fs.node(fs.rootId());
            fs.list(root);
            scan = (System.nanoTime() - t0) / 1e9;
            walk(fs, root, counts);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("BENCH ntfs listing: %d entries (%d directories) in %.2f s (MFT scan and tree %.2f s)%n",
                counts[0], counts[1], s, scan);
    }

    private static void walk(GuestFilesystem fs, Node dir, long[] counts) throws Exception {
        for (DirEntry e : fs.list(dir)) {
            Node n = fs.node(e.id());
            counts[0]++;
            if (n.isDirectory()) {
                counts[1]++;
                walk(fs, n, counts);
            }
        }
    }
}
