package io.vdetach.cli;

import io.vdetach.json.Json;

import io.vdetach.error.HostException;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.sys.Errno;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.SysException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "dump", description = "Write the whole guest disk (chains resolved) to OUT as a sparse raw file.")
final class DumpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "OUT") Path out;
    @Mixin ImageOptions io = new ImageOptions();

    /** Guest bytes mapped per step: bounds the run list a format builds at once. */
    private static final long STEP = 256L << 20;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        try (DiskImage img = ImageOpener.open(image, io.openOptions())) {
            Fd fd;
            try {
                fd = Linux.open(out.toString(), Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL, 0644);
            } catch (SysException e) {
                if (e.is(Errno.EEXIST)) throw new HostException(out + " exists: not overwritten");
                throw e;
            }
            Map<HostFile, Fd> srcFds = new HashMap<>();
            long copied = 0, decoded = 0, holes = 0;
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            try {
                for (long pos = 0; pos < img.size(); pos += STEP) {
                    List<Run> runs = ExtentMaps.toHostFiles(img, pos, Math.min(STEP, img.size() - pos));
                    for (Run r : runs) {
                        switch (r) {
                            case Run.Hole h -> holes += h.length();
                            case Run.Mapped m -> {
                                HostFile f = (HostFile) m.target();
                                Fd src = srcFds.computeIfAbsent(f, k -> Linux.open(k.path().toString(), Linux.O_RDONLY, 0));
                                long done = 0;
                                while (done < m.length()) {
                                    long n = Linux.copyFileRange(src, m.offset() + done, fd, m.start() + done, m.length() - done);
                                    if (n == 0) throw new HostException(f.path() + " ends before offset " + (m.offset() + done));
                                    done += n;
                                }
                                copied += m.length();
                            }
                            case Run.Materialise mat -> {
                                long done = 0;
                                while (done < mat.length()) {
                                    buf.clear().limit((int) Math.min(buf.capacity(), mat.length() - done));
                                    img.readFully(mat.start() + done, buf);
                                    buf.flip();
                                    int n = buf.remaining();
                                    Linux.pwriteFully(fd, buf, mat.start() + done);
                                    done += n;
                                }
                                decoded += mat.length();
                            }
                        }
                    }
                }
                Linux.ftruncate(fd, img.size());
                Linux.fsync(fd);
            } finally {
                fd.close();
                for (Fd s : srcFds.values()) s.close();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (io.json) {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("virtual_size", img.size());
                m.put("bytes_copied", copied);
                m.put("bytes_decoded", decoded);
                m.put("bytes_sparse", holes);
                m.put("seconds", secs);
                System.out.println(Json.render(m));
            } else {
                System.out.printf("dumped %s: copied %s, decoded %s, sparse %s in %.2f s%n", Units.bytes(img.size()),
                        Units.bytes(copied), Units.bytes(decoded), Units.bytes(holes), secs);
            }
            return 0;
        }
    }
}
