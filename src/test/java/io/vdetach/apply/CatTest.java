package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.CliProcess;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * cat on every filesystem vdetach reads, each made by its own tools (mke2fs, mkfs.xfs, mkntfs and
 * ntfs-3g, mkfs.fat and mcopy, mkfs.exfat and exfat-fuse): a regular file and a hard link to it
 * come out byte for byte (the bytes written are the oracle), a symlink is refused (exit 1, naming
 * its target), a missing path is exit 1; every refusal is one line on stderr and nothing on stdout.
 * cat runs in its own JVM: it writes to the process's stdout descriptor.
 */
class CatTest {
    @TempDir Path dir;
    static final String CONTENT = "the file's content\n".repeat(500);

    /** Builds a disk image of {@code fs}; returns it. Hard links and symlinks where the filesystem has them. */
    private Path image(String fs) throws Exception {
        Need.root();
        Path img = dir.resolve(fs + ".img");
        Path src = dir.resolve("content");
        Files.writeString(src, CONTENT);
        String populate = "mkdir -p d && cp " + src + " d/file && ln d/file d/link && ln -s file d/sym";
        switch (fs) {
            case "ext4" -> {
                Need.tools("mke2fs");
                Path tree = Files.createDirectories(dir.resolve("tree"));
                Sh.run("bash", "-c", "cd " + tree + " && " + populate);
                Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), img.toString(), "16M");
            }
            case "xfs" -> {
                Need.tools("mkfs.xfs");
                Sh.run("truncate", "-s", "320M", img.toString());
                Sh.run("mkfs.xfs", "-q", "-f", img.toString());
                try (LoopMount m = LoopMount.readWrite(img, 0, 0, "xfs", "")) {
                    Sh.run("bash", "-c", "cd " + m.path() + " && " + populate);
                }
            }
            case "ntfs" -> {
                Need.tools("mkntfs", "ntfs-3g");
                Sh.run("truncate", "-s", "16M", img.toString());
                Sh.run("mkntfs", "-F", "-Q", "-q", img.toString());
                Path mnt = Files.createTempDirectory("vdetach-cat-ntfs");
                Sh.run("ntfs-3g", img.toString(), mnt.toString());
                try {
                    Sh.run("bash", "-c", "cd " + mnt + " && " + populate);
                } finally {
                    Sh.run("umount", mnt.toString());
                    Files.delete(mnt);
                }
            }
            case "vfat" -> {
                Need.tools("mkfs.fat", "mcopy", "mmd");
                Sh.run("mkfs.fat", "-C", img.toString(), "16384");
                Sh.run("mmd", "-i", img.toString(), "::d");
                Sh.run("mcopy", "-i", img.toString(), src.toString(), "::d/file");
            }
            case "exfat" -> {
                Need.tools("mkfs.exfat", "mount.exfat-fuse");
                Sh.run("truncate", "-s", "16M", img.toString());
                Sh.run("mkfs.exfat", img.toString());
                try (LoopMount m = LoopMount.readWrite(img, 0, 0, "exfat-fuse", "")) {
                    Sh.run("bash", "-c", "cd " + m.path() + " && mkdir d && cp " + src + " d/file");
                }
            }
            default -> throw new IllegalArgumentException(fs);
        }
        return img;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ext4", "xfs", "ntfs", "vfat", "exfat"})
    void catOnEveryFilesystem(String fs) throws Exception {
        Path img = image(fs);
        Sh.Result file = CliProcess.run("256m", "cat", img.toString(), "disk/d/file");
        assertThat(file.exit()).as(file.err()).isZero();
        assertThat(file.out()).isEqualTo(CONTENT);
        assertThat(file.err()).isEmpty();
        if (!fs.equals("vfat") && !fs.equals("exfat")) {
            Sh.Result link = CliProcess.run("256m", "cat", img.toString(), "disk/d/link");
            assertThat(link.exit()).as(link.err()).isZero();
            assertThat(link.out()).isEqualTo(CONTENT);
            Sh.Result sym = CliProcess.run("256m", "cat", img.toString(), "disk/d/sym");
            assertThat(sym.exit()).isEqualTo(1);
            assertThat(sym.out()).isEmpty();
            assertThat(sym.err()).isEqualTo("vdetach: error: disk/d/sym: not a regular file (symlink to file)\n");
        }
        Sh.Result missing = CliProcess.run("256m", "cat", img.toString(), "disk/d/nothing");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).isEqualTo("vdetach: error: disk/d/nothing: not found\n");
        Sh.Result dirAsFile = CliProcess.run("256m", "cat", img.toString(), "disk/d");
        assertThat(dirAsFile.exit()).isEqualTo(1);
        assertThat(dirAsFile.err()).contains("not a regular file (directory)");
    }
}
