package io.vdetach.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.ImagePatch;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged images through the command line: a clear message naming the structure and offset,
 * the documented exit code, no stack trace, no hang.
 */
@Timeout(60)
class CorruptImageTest {
    @TempDir Path dir;
    private Path tree;

    @BeforeEach
    void tree() throws Exception {
        Need.tools("mke2fs", "sgdisk", "debugfs");
        tree = Files.createDirectories(dir.resolve("tree"));
        Files.createDirectories(tree.resolve("a/b"));
        byte[] data = new byte[200_000];
        new java.util.Random(7).nextBytes(data);
        Files.write(tree.resolve("a/b/data.bin"), data);
        Files.writeString(tree.resolve("hello.txt"), "hello\n");
    }

    private Path gptDisk() {
        Path img = dir.resolve("gpt.img");
        Sh.run("truncate", "-s", "20M", img.toString());
        Sh.run("sgdisk", "-n", "1:2048:+16M", img.toString());
        Path fs = dir.resolve("fs.ext4");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), fs.toString(), "16M");
        Sh.run("dd", "if=" + fs, "of=" + img, "bs=1M", "seek=1", "conv=notrunc", "status=none");
        return img;
    }

    private Path plainExt4() {
        Path img = dir.resolve("plain.img");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), img.toString(), "16M");
        return img;
    }

    private static void assertClean(Cli.Run r, int exit, String... words) {
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(exit);
        assertThat(r.err() + r.out()).contains(words).doesNotContain("\tat io.vdetach", "Exception in thread");
    }

    @Test
    void truncatedImage() throws Exception {
        Path img = gptDisk();
        Sh.run("truncate", "-s", "3M", img.toString());
        assertClean(Cli.run("ls", img.toString()), 3, "offset");
    }

    @Test
    void bothGptHeadersBad() throws Exception {
        Path img = gptDisk();
        ImagePatch.write(img, 512 + 16, new byte[] {1, 2, 3, 4});
        ImagePatch.write(img, Files.size(img) - 512 + 16, new byte[] {1, 2, 3, 4});
        assertClean(Cli.run("extract", img.toString(), dir.resolve("out").toString()), 3, "gpt", "CRC", "offset");
    }

    @Test
    void superblockWithAbsurdCounts() throws Exception {
        Path img = plainExt4();
        ImagePatch.le32(img, 1024 + 24, 40); // s_log_block_size: blocks of 2^50 bytes
        Cli.Run r = Cli.run("extract", img.toString(), dir.resolve("out").toString());
        assertClean(r, 3, "ext", "superblock", "offset");
    }

    @Test
    void directoryCycleIsReportedNotFollowed() throws Exception {
        Path img = plainExt4();
        Sh.run("debugfs", "-w", "-R", "ln /a /a/b/loop", img.toString());
        Cli.Run r = Cli.run("extract", "--json", img.toString(), dir.resolve("out").toString());
        assertClean(r, 1, "a/b/loop", "second time");
        assertThat(dir.resolve("out/disk/a/b/data.bin")).exists();
    }

    @Test
    void extentPastTheVolumeEnd() throws Exception {
        Path img = plainExt4();
        // i_block[5] is the first extent's ee_start_lo (after the 12-byte header and ee_block, ee_len, ee_start_hi)
        Sh.run("debugfs", "-w", "-R", "sif /a/b/data.bin block[5] 0x7ffffff0", img.toString());
        Cli.Run r = Cli.run("extract", "--json", img.toString(), dir.resolve("out").toString());
        assertClean(r, 1, "a/b/data.bin", "offset");
        assertThat(dir.resolve("out/disk/hello.txt")).hasContent("hello\n");
    }

    @Test
    void missingImageAndBadUsage() {
        assertClean(Cli.run("ls", dir.resolve("nope.img").toString()), 4, "no such file");
        assertThat(Cli.run("extract").exit()).isEqualTo(2);
        assertThat(Cli.run("extract", "--mode", "sideways", "a", "b").exit()).isEqualTo(2);
    }
}
