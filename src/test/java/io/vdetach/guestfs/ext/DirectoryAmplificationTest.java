package io.vdetach.guestfs.ext;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 8: an ext4 directory (mke2fs -d) in a qcow2 of 4 KiB clusters (qemu-img) whose L2
 * entries for the directory's blocks were patched to point at its first block's cluster: the
 * directory would present its first block's entries over and over (a small image, a huge
 * directory). It is corrupt, named with its inode; the rest of the volume is listed.
 */
class DirectoryAmplificationTest {
    @TempDir Path dir;

    @Test
    void directoryBlocksClaimingOneClusterAreCorrupt() throws Exception {
        Need.tools("mke2fs", "debugfs", "qemu-img");
        Path tree = Files.createDirectories(dir.resolve("tree/big"));
        for (int i = 0; i < 1500; i++) Files.writeString(tree.resolve("a-rather-long-file-name-" + i), "x");
        Files.writeString(dir.resolve("tree/ok.txt"), "fine\n");
        Path fs = dir.resolve("fs.ext4");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-O", "^dir_index", "-d", dir.resolve("tree").toString(),
                fs.toString(), "16M");
        long[] blocks = Arrays.stream(Sh.run("debugfs", "-R", "blocks /big", fs.toString()).trim().split("\\s+"))
                .mapToLong(Long::parseLong).toArray();
        assertThat(blocks.length).as("a directory of several blocks").isGreaterThan(4);
        Path img = dir.resolve("c.qcow2");
        Sh.run("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=4096", fs.toString(), img.toString());
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(40);
            long l1 = f.readLong();
            long first = l2EntryAt(f, l1, blocks[0]);
            assertThat(first).as("the first block is allocated").isNotZero();
            for (int i = 1; i < blocks.length; i++) {
                long at = entryOffset(f, l1, blocks[i]);
                f.seek(at);
                f.writeLong(first);
            }
        }
        Cli.Run r = Cli.run("ls", img.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err()).containsPattern("vdetach: error: disk/big: ext4: corrupt directory inode \\d+ at offset \\d+: its bytes \\d+\\.\\.\\d+ lie where");
        assertThat(r.out()).contains("disk/ok.txt").doesNotContain("a-rather-long-file-name-1\n");
    }

    /** 4 KiB clusters: an L2 table holds 512 entries of 8 bytes; the spec's offset mask keeps bits 9..55. */
    private static long entryOffset(RandomAccessFile f, long l1, long cluster) throws Exception {
        long l2 = readLongAt(f, l1 + 8 * (cluster / 512)) & 0x00ff_ffff_ffff_fe00L;
        assertThat(l2).as("L2 table of cluster " + cluster).isPositive();
        return l2 + 8 * (cluster % 512);
    }

    private static long l2EntryAt(RandomAccessFile f, long l1, long cluster) throws Exception {
        return readLongAt(f, entryOffset(f, l1, cluster));
    }

    private static long readLongAt(RandomAccessFile f, long at) throws Exception {
        f.seek(at);
        return f.readLong();
    }
}
