package io.vdetach.testkit;

import io.vdetach.sys.Fd;
import io.vdetach.sys.FiemapExtent;
import io.vdetach.sys.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** How much of an extracted tree really shares blocks, as the host's FIEMAP says (not as vdetach reports it). */
public final class SharedExtents {
    private SharedExtents() {}

    /** FIEMAP over every regular file of at least 64 KiB below {@code root}: {shared data bytes, data bytes}. */
    public static long[] ofLargeFiles(Path root) throws Exception {
        long[] acc = new long[2];
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                long size = Files.size(p);
                if (size < 65536) continue;
                try (Fd fd = Linux.open(p.toString(), Linux.O_RDONLY, 0)) {
                    for (FiemapExtent e : Linux.fiemap(fd, 0, Long.MAX_VALUE)) {
                        long len = Math.min(e.length(), size - e.logical());
                        if (len <= 0) continue;
                        acc[1] += len;
                        if (e.shared()) acc[0] += len;
                    }
                }
            }
        }
        return acc;
    }
}
