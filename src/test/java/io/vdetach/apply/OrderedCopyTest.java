package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.ScratchHost;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The ordered copy engine (hosts that cannot share): more files than one batch, files larger
 * than one read, holes, hard links and xattrs, decoded (compressed qcow2) runs beside copied
 * ones, direct and buffered reads and writes, all exact against a loop mount; a host that fills
 * up stops the run with exit 4.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderedCopyTest {
    private Path work;
    private ExtFixture.Disk disk;

    @BeforeAll
    void build() throws Exception {
        Need.root();
        Need.tools("mke2fs", "sgdisk", "qemu-img");
        work = Files.createTempDirectory("vdetach-ordered");
        Path tree = work.resolve("tree");
        // 2,600 small entries: more than one batch (1,024 files)
        FixtureTree.create(tree, FixtureTree.Options.small().withManyEntries(2600).withLargeFileSize((9L << 20) + 123));
        disk = ExtFixture.gptExt4(work, tree);
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    @Test
    void rawAndCompressedQcow2AreExactOntoTmpfs() throws Exception {
        Path qcow2 = work.resolve("compressed.qcow2");
        Sh.run("qemu-img", "convert", "-c", "-O", "qcow2", "-o", "cluster_size=65536", disk.image().toString(), qcow2.toString());
        ExtFixture.Part p = disk.part("p1");
        try (LoopMount m = LoopMount.readOnly(disk.image(), p.offset(), p.size(), "ext4", "")) {
            for (Path image : new Path[] {disk.image(), qcow2}) {
                Path dest = Files.createTempDirectory(Path.of("/dev/shm"), "vdetach-ordered");
                try {
                    Cli.Run r = Cli.run("extract", "--json", image.toString(), dest.toString());
                    assertThat(r.exit()).as(r.err()).isZero();
                    assertThat(r.out()).contains("\"bytes_shared\": 0").doesNotContain("\"errors\": [{");
                    TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), HostTree.walk(dest.resolve("p1"), "lost+found"));
                } finally {
                    Sh.exec(null, "rm", "-rf", dest.toString());
                }
            }
        }
    }

    /**
     * Onto a loop-mounted ext4, where long pieces are written with O_DIRECT: a GPT disk (blocks
     * 4 KiB-aligned in the image) and a disk partitioned at sector 63 (blocks only 512-aligned:
     * direct reads widen to whole blocks, writes stay buffered), raw and as qcow2, with a file
     * longer than one read (16 MiB).
     */
    @Test
    void alignedAndMisalignedDisksAreExactOntoExt4() throws Exception {
        Need.tools("sfdisk", "mkfs.ext4");
        Path tree = work.resolve("tree63");
        FixtureTree.create(tree, FixtureTree.Options.small().withManyEntries(600).withLargeFileSize((20L << 20) + 123));
        ExtFixture.Disk misaligned = ExtFixture.mbrExt4AtSector63(work, tree);
        Path qcow2 = work.resolve("mbr63.qcow2");
        Sh.run("qemu-img", "convert", "-O", "qcow2", misaligned.image().toString(), qcow2.toString());
        try (ScratchHost host = ScratchHost.create(work, "ext4", 512L << 20)) {
            copyMatchesMount(disk, disk.image(), host.resolve("gpt"));
            copyMatchesMount(misaligned, misaligned.image(), host.resolve("mbr63-raw"));
            copyMatchesMount(misaligned, qcow2, host.resolve("mbr63-qcow2"));
        }
    }

    private static void copyMatchesMount(ExtFixture.Disk d, Path image, Path dest) throws Exception {
        Cli.Run r = Cli.run("extract", "--mode", "copy", "--json", image.toString(), dest.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"bytes_shared\": 0").doesNotContain("\"errors\": [{");
        ExtFixture.Part p = d.part("p1");
        try (LoopMount m = LoopMount.readOnly(d.image(), p.offset(), p.size(), "ext4", "")) {
            TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), HostTree.walk(dest.resolve("p1"), "lost+found"));
        }
    }

    /** A process allowed few open files gets smaller batches instead of EMFILE on some files. */
    @Test
    void aLowOpenFileLimitStillExtractsEveryFile() throws Exception {
        Need.tools("prlimit");
        String pid = Long.toString(ProcessHandle.current().pid());
        String before = Sh.run("prlimit", "--pid", pid, "--nofile", "--raw", "--noheadings", "--output", "SOFT,HARD").trim();
        String[] sh = before.split("\\s+");
        Path dest = Files.createTempDirectory(Path.of("/dev/shm"), "vdetach-fewfds");
        try {
            Sh.run("prlimit", "--pid", pid, "--nofile=400:" + sh[1]);
            Cli.Run r = Cli.run("extract", "--mode", "copy", "--json", disk.image().toString(), dest.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).doesNotContain("Too many open files");
            ExtFixture.Part p = disk.part("p1");
            try (LoopMount m = LoopMount.readOnly(disk.image(), p.offset(), p.size(), "ext4", "")) {
                TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), HostTree.walk(dest.resolve("p1"), "lost+found"));
            }
        } finally {
            Sh.run("prlimit", "--pid", pid, "--nofile=" + sh[0] + ":" + sh[1]);
            Sh.exec(null, "rm", "-rf", dest.toString());
        }
    }

    @Test
    void aFullHostStopsTheRunWithExit4() throws Exception {
        Path dest = Files.createTempDirectory("vdetach-full");
        Sh.run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dest.toString());
        try {
            Cli.Run r = Assertions.assertTimeoutPreemptively(Duration.ofMinutes(2),
                    () -> Cli.run("extract", "--mode", "copy", disk.image().toString(), dest.toString()));
            assertThat(r.exit()).as(r.err()).isEqualTo(4);
            assertThat(r.err()).contains("No space left");
            Sh.Result u = Sh.exec(null, "umount", dest.toString());
            assertThat(u.exit()).as("every file closed, so DEST unmounts: " + u.err()).isZero();
        } finally {
            if (Sh.exec(null, "mountpoint", "-q", dest.toString()).exit() == 0) Sh.exec(null, "umount", "-l", dest.toString());
            Sh.exec(null, "rm", "-rf", dest.toString());
        }
    }
}
