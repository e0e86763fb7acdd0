package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.guestfs.MountOptions;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify compares file contents on several threads, yet reports its mismatches in one order: the
 * walk's, as when it compared them one by one. A tree made by mke2fs -d, extracted, then many of
 * its files changed (content, mode, mtime, several at once, files of 0 bytes to two chunks) and
 * some removed and added; every threaded run gives the serial run's list, element by element.
 */
@Timeout(180)
class VerifyOrderTest {
    @TempDir Path dir;

    @Test
    void mismatchesComeInWalkOrderWhateverTheThreads() throws Exception {
        Need.tools("mke2fs");
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Random rnd = new Random(19);
        for (int d = 0; d < 3; d++) {
            Path sub = Files.createDirectories(tree.resolve("d" + d));
            for (int f = 0; f < 80; f++) {
                int size = f % 11 == 0 ? 0 : f == 40 ? (1 << 20) + 4321 : 1 + rnd.nextInt(9000);
                byte[] data = new byte[size];
                rnd.nextBytes(data);
                Files.write(sub.resolve("f" + f), data);
            }
        }
        Path img = dir.resolve("fs.ext4");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), img.toString(), "32M");
        Path dest = dir.resolve("out");
        assertThat(Cli.run("extract", img.toString(), dest.toString()).exit()).isZero();

        for (int d = 0; d < 3; d++) {
            Path sub = dest.resolve("disk/d" + d);
            FileTime dirTime = Files.getLastModifiedTime(sub);
            for (int f = 0; f < 80; f++) {
                Path p = sub.resolve("f" + f);
                FileTime t = Files.getLastModifiedTime(p);
                if ((f % 3 == 0 || f == 40) && Files.size(p) > 0) {
                    try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                        long at = raf.length() - 1;
                        raf.seek(at);
                        int b = raf.read();
                        raf.seek(at);
                        raf.write(b ^ 0x40);
                    }
                }
                if (f % 5 == 0) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-x---"));
                Files.setLastModifiedTime(p, f % 7 == 0 ? FileTime.from(Instant.parse("2001-02-03T04:05:06Z")) : t);
                if (f % 13 == 12) Files.delete(p);
            }
            Files.writeString(sub.resolve("extra"), "not in the image");
            Files.setLastModifiedTime(sub, dirTime);
        }

        Verify.Request request = new Verify.Request(new ImageSource(img, OpenOptions.DEFAULT, MountOptions.DEFAULT), dest, null);
        List<Verify.Mismatch> serial = Verify.run(request, 0).mismatches();
        assertThat(serial).hasSizeGreaterThan(150);
        assertThat(serial).extracting(Verify.Mismatch::what).anyMatch(w -> w.startsWith("content differs in bytes 1048576.."));
        for (int run = 0; run < 3; run++) {
            assertThat(Verify.run(request, ContentChecks.THREADS).mismatches()).containsExactlyElementsOf(serial);
        }
    }
}
