package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.ScratchHost;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sparse guest file's holes are holes on the host after extract in share mode (XFS with reflink),
 * in copy mode (ext4) and after detach --streaming (ext4): its data segments on the host, as
 * lseek(SEEK_DATA/SEEK_HOLE) reports them (python3's os.lseek, not our code), are the segments of
 * the file mke2fs -d copied into the guest.
 */
class HolesTest {
    @TempDir Path dir;
    private Path image;
    private String segments;

    /** SEEK_DATA/SEEK_HOLE segments of a file, "start-end" per line. */
    private static String segments(Path f) {
        return Sh.run("python3", "-c", """
                import os, sys
                fd = os.open(sys.argv[1], os.O_RDONLY); end = os.fstat(fd).st_size; pos = 0
                while pos < end:
                    try: start = os.lseek(fd, pos, os.SEEK_DATA)
                    except OSError: break
                    stop = os.lseek(fd, start, os.SEEK_HOLE); print(f"{start}-{stop}"); pos = stop
                """, f.toString());
    }

    @BeforeEach
    void guest() throws Exception {
        Need.root();
        Need.tools("mke2fs", "python3");
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Path sparse = tree.resolve("sparse.bin");
        Sh.bash("truncate -s 64M " + sparse + " && for at in 0 20 40; do head -c 4096 /dev/urandom | dd of=" + sparse
                + " bs=1M seek=$at conv=notrunc status=none; done && printf end >> " + sparse);
        Files.writeString(tree.resolve("dense.txt"), "dense\n");
        segments = segments(sparse);
        assertThat(segments.lines().count()).as("the source file is sparse").isEqualTo(4);
        image = dir.resolve("guest.ext4");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", tree.toString(), image.toString(), "96M");
    }

    @Test
    void shareModeOnXfs() throws Exception {
        try (ScratchHost host = ScratchHost.create(dir, "xfs", 512L << 20)) {
            Path img = host.resolve("guest.img");
            Sh.run("cp", "--sparse=always", image.toString(), img.toString());
            Cli.Run r = Cli.run("extract", "--mode", "share", img.toString(), host.resolve("out").toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(segments(host.resolve("out/disk/sparse.bin"))).isEqualTo(segments);
        }
    }

    @Test
    void copyModeOnExt4() throws Exception {
        try (ScratchHost host = ScratchHost.create(dir, "ext4", 512L << 20)) {
            Cli.Run r = Cli.run("extract", "--mode", "copy", image.toString(), host.resolve("out").toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(segments(host.resolve("out/disk/sparse.bin"))).isEqualTo(segments);
        }
    }

    @Test
    void streamingDetachOnExt4() throws Exception {
        try (ScratchHost host = ScratchHost.create(dir, "ext4", 512L << 20)) {
            Path img = host.resolve("guest.img");
            Sh.run("cp", "--sparse=always", image.toString(), img.toString());
            Cli.Run r = Cli.run("detach", "--streaming", "--window", "4M", img.toString(), host.resolve("out").toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(img).doesNotExist();
            assertThat(segments(host.resolve("out/disk/sparse.bin"))).isEqualTo(segments);
        }
    }
}
