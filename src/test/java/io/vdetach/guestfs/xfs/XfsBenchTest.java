package io.vdetach.guestfs.xfs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walk speed and share ratio on a larger tree. Off by default (slow to build):
 * {@code mvn -o test -Dtest=XfsBenchTest -Dxfs.bench=200000}.
 */
class XfsBenchTest {
    @TempDir Path dir;

    @Test
    void walkSpeedAndAlignment() throws Exception {
        int files = Integer.getInteger("xfs.bench", 0);
        assumeTrue(files > 0, "benchmark off (set -Dxfs.bench=N)");
        Need.root();
        for (String opts : System.getProperty("xfs.bench.opts", "-m crc=1;-m crc=1 -b size=1024").split(";")) {
            Path img = dir.resolve("bench.img");
            Sh.run("truncate", "-s", "4G", img.toString());
            Sh.bash(XfsFixture.SMALL_OK + "mkfs.xfs -q -f " + opts + " " + img);
            try (LoopMount m = LoopMount.readWrite(img, 0, 0, "xfs", "")) {
                Sh.run("python3", "-c", """
                        import os, sys
                        root, n = sys.argv[1], int(sys.argv[2])
                        for d in range(n // 100):
                            p = os.path.join(root, 'd%04d' % d)
                            os.mkdir(p)
                            for i in range(100):
                                with open(os.path.join(p, 'f%03d' % i), 'wb') as f:
                                    f.write(bytes([i]) * ((d * 100 + i) * 37 % 20000))
                        """, m.path().toString(), Integer.toString(files));
            }
            for (int round = 0; round < 3; round++)
            try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
                long t0 = System.nanoTime();
                long[] c = walk(fs);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("xfs bench %s: %d entries, %d ms (%.0f entries/s); file bytes %d, in runs at 4 KiB-aligned volume offsets %d (%.2f%%), whole 4 KiB blocks %d (%.2f%%)%n",
                        opts, c[0], ms, c[0] * 1000.0 / Math.max(ms, 1), c[1], c[2], 100.0 * c[2] / c[1], c[3], 100.0 * c[3] / c[1]);
            }
            Sh.run("rm", "-f", img.toString());
        }
    }

    /** entries, file bytes, bytes in runs starting 4 KiB-aligned, bytes in whole aligned 4 KiB blocks. */
    private static long[] walk(XfsFilesystem fs) throws Exception {
        long[] c = new long[4];
        List<Node> todo = new ArrayList<>(List.of(fs.node(fs.rootId())));
        while (!todo.isEmpty()) {
            Node d = todo.removeLast();
            for (DirEntry e : fs.list(d)) {
                Node n = fs.node(e.id());
                c[0]++;
                if (n.isDirectory()) todo.add(n);
                else if (n.type() == EntryType.FILE) {
                    Layer l = fs.content(n);
                    for (Run r : l.map(0, l.size())) {
                        c[1] += r.length();
                        if (r instanceof Run.Mapped m && m.offset() % 4096 == 0) {
                            c[2] += r.length();
                            c[3] += r.length() / 4096 * 4096;
                        }
                    }
                }
            }
        }
        return c;
    }
}
