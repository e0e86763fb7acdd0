package io.vdetach.guestfs.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.error.VdetachException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.MutatingLayer;
import io.vdetach.testkit.Need;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input: random bytes of the metadata a pristine walk reads are overwritten (in memory,
 * over the real image) and the image walked again. Every outcome must be a clean walk or a
 * {@link VdetachException}: never another exception, a hang or unbounded memory.
 */
class XfsMutationTest {
    @TempDir Path dir;

    @Test
    void randomMetadataDamageNeverEscapesAsAnotherException() throws Exception {
        Need.root();
        Need.tools("mkfs.xfs", "setfattr");
        Path img = XfsFixture.build(dir, "m.img", 64, "-m crc=1", "small");
        try (HostFile f = HostFile.open(img)) {
            MutatingLayer rec = new MutatingLayer(f);
            walk(XfsFilesystem.open(rec, BlockCache.withDefaultBudget()));
            Random rnd = new Random(20261125);
            int corrupt = 0, clean = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < Integer.getInteger("xfs.mutations", 400); i++) {
                var patches = rec.mutate(rnd, 16);
                try {
                    walk(XfsFilesystem.open(rec, BlockCache.withDefaultBudget()));
                    clean++;
                } catch (VdetachException e) {
                    corrupt++;
                } catch (Throwable t) {
                    throw new AssertionError("iteration " + i + " patches " + patches + ": " + t, t);
                }
            }
            System.out.printf("xfs mutations: %d clean, %d reported corrupt/unsupported, %d ms%n", clean, corrupt,
                    (System.nanoTime() - t0) / 1_000_000);
            assertThat(corrupt).isPositive();
        }
    }

    /** Lists, stats and maps everything, without hashing; cycles and repeats are skipped. */
    private static void walk(XfsFilesystem fs) throws IOException {
        Set<Long> seen = new HashSet<>();
        List<Node> todo = new ArrayList<>();
        todo.add(fs.node(fs.rootId()));
        while (!todo.isEmpty()) {
            Node d = todo.removeLast();
            if (!seen.add(d.id())) continue;
            for (DirEntry e : fs.list(d)) {
                Node n = fs.node(e.id());
                if (n.isDirectory()) todo.add(n);
                else if (n.type() == io.vdetach.guestfs.EntryType.FILE) {
                    Layer c = fs.content(n);
                    c.map(0, c.size());
                    if (c.size() > 0) c.read(0, ByteBuffer.allocate((int) Math.min(c.size(), 8192)));
                }
            }
        }
    }
}
