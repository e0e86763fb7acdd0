package io.vdetach.guestfs.ext;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Block mappings the fixture tree does not reach, made through the kernel: unwritten extents,
 * a deep extent tree, ext2/ext3 indirect blocks up to triple indirection, and a journal that
 * needs recovery. Oracles: the kernel's mount (content) and debugfs (block numbers).
 */
class ExtLayoutTest {
    @TempDir Path dir;

    @BeforeEach
    void need() {
        Need.root();
        Need.tools("mke2fs", "debugfs", "fallocate");
    }

    @Test
    void unwrittenExtentsAreHolesThatReadAsZeros() throws Exception {
        Path img = mkfs("ext4", "32M");
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ext4", "")) {
            Path f = m.path().resolve("prealloc");
            write(f, 0, FixtureTree.bytes(8192, 1));
            Sh.run("fallocate", "-o", "8192", "-l", "1M", f.toString());
            write(f, (1 << 20) + 8192, FixtureTree.bytes(4096, 2));
            Path k = m.path().resolve("keep-size");
            write(k, 0, FixtureTree.bytes(5000, 3));
            Sh.run("fallocate", "--keep-size", "-o", "8192", "-l", "2M", k.toString());
        }
        try (HostFile h = HostFile.open(img)) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            Node n = ExtCorpusTest.lookup(fs, "prealloc");
            List<Run> runs = fs.content(n).map(0, n.size());
            assertThat(runs).hasSize(3);
            assertThat(runs.get(0)).isInstanceOf(Run.Mapped.class);
            assertThat(runs.get(1)).isEqualTo(new Run.Hole(8192, 1 << 20));
            assertThat(runs.get(2)).isInstanceOf(Run.Mapped.class);
            byte[] middle = read(fs.content(n), 8192, 1 << 20);
            assertThat(middle).containsOnly(0);
            Node keep = ExtCorpusTest.lookup(fs, "keep-size");
            assertThat(fs.content(keep).size()).isEqualTo(5000);
            assertThat(fs.content(keep).map(0, Long.MAX_VALUE / 2)).hasSize(1);
            try (LoopMount m = LoopMount.readOnly(img, 0, 0, "ext4", "")) {
                TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), GuestTree.walk(fs, "lost+found"));
            }
        }
    }

    @Test
    void deepExtentTreeOfAFragmentedFile() throws Exception {
        Path img = mkfs("ext4", "64M", "-b", "1024");
        int blocks = 2000;
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ext4", "")) {
            // Every other 1 KiB block: 2000 extents, more than 4 leaves of 84 can hold, so depth 2.
            try (FileChannel ch = FileChannel.open(m.path().resolve("fragmented"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                for (int i = 0; i < blocks; i++) ch.write(ByteBuffer.wrap(FixtureTree.bytes(1024, i)), 2048L * i);
                ch.force(true);
            }
        }
        try (HostFile h = HostFile.open(img)) {
            ExtFilesystem fs = ExtFilesystem.open(h);
            Node n = ExtCorpusTest.lookup(fs, "fragmented");
            int depth = ByteBuffer.wrap(fs.inode(n.id()).block()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(6);
            assertThat(depth).isGreaterThanOrEqualTo(2);
            assertThat(fs.content(n).map(0, n.size()).stream().filter(r -> r instanceof Run.Mapped).count()).isEqualTo(blocks);
            try (LoopMount m = LoopMount.readOnly(img, 0, 0, "ext4", "")) {
                assertThat(mappedBlocks(fs, n)).isEqualTo(fiemapBlocks(m.path().resolve("fragmented"), 1024));
                TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), GuestTree.walk(fs, "lost+found"));
            }
        }
    }

    @Test
    void ext2And3IndirectBlocksUpToTriple() throws Exception {
        for (String type : List.of("ext2", "ext3")) {
            Path img = mkfs(type, "32M", "-b", "1024");
            try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ext4", "")) {
                // 12 direct + 256 single + 65536 double blocks: 3 MiB reaches double indirection,
                // a block at 70 MiB needs the triple indirect block (the rest is a hole).
                write(m.path().resolve("double"), 0, FixtureTree.bytes(3 << 20, 4));
                Path t = m.path().resolve("triple");
                write(t, 0, FixtureTree.bytes(20_000, 5));
                write(t, 70L << 20, FixtureTree.bytes(3000, 6));
                write(m.path().resolve("thirteen-blocks"), 0, FixtureTree.bytes(13 * 1024, 7));
            }
            assertThat(Sh.run("debugfs", "-R", "stat triple", img.toString())).contains("(TIND)");
            assertThat(Sh.run("debugfs", "-R", "stat double", img.toString())).contains("(DIND)");
            try (HostFile h = HostFile.open(img)) {
                GuestFilesystem fs = ExtFilesystem.open(h);
                assertThat(fs.type()).isEqualTo(type);
                try (LoopMount m = LoopMount.readOnly(img, 0, 0, "ext4", "")) {
                    for (String name : List.of("double", "triple", "thirteen-blocks")) {
                        Node n = ExtCorpusTest.lookup(fs, name);
                        assertThat(mappedBlocks(fs, n)).as(type + " " + name).isEqualTo(fiemapBlocks(m.path().resolve(name), 1024));
                    }
                    TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), GuestTree.walk(fs, "lost+found"));
                }
            }
        }
    }

    @Test
    void kernelMadeHashTreeDirectories() throws Exception {
        for (String type : List.of("ext3", "ext4")) {
            // 1 KiB blocks and 5000 long names: more leaves than the root can index, so the
            // tree has interior index nodes; ext4 adds checksum tails (metadata_csum).
            Path img = mkfs(type, "32M", "-b", "1024");
            try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ext4", "")) {
                Path d = java.nio.file.Files.createDirectory(m.path().resolve("big-dir"));
                for (int i = 0; i < 5000; i++) java.nio.file.Files.createFile(d.resolve("name-" + i + "-" + "q".repeat(i % 30)));
                for (int i = 0; i < 5000; i += 3) java.nio.file.Files.delete(d.resolve("name-" + i + "-" + "q".repeat(i % 30)));
            }
            String htree = Sh.run("debugfs", "-R", "htree big-dir", img.toString());
            assertThat(htree).contains("Indirect levels: 1");
            try (HostFile h = HostFile.open(img); LoopMount m = LoopMount.readOnly(img, 0, 0, "ext4", "")) {
                GuestFilesystem fs = ExtFilesystem.open(h);
                assertThat(fs.list(ExtCorpusTest.lookup(fs, "big-dir"))).hasSize(5000 - 1667);
                TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), GuestTree.walk(fs, "lost+found"));
                Node n = ExtCorpusTest.lookup(fs, "big-dir");
                String birth = Sh.run("stat", "-c", "%W", m.path().resolve("big-dir").toString()).trim();
                assertThat(n.btime().getEpochSecond()).isEqualTo(Long.parseLong(birth));
            }
        }
    }

    @Test
    void deviceNumbersInOldAndNewEncodings() throws Exception {
        Path img = mkfs("ext4", "16M");
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ext4", "")) {
            // The kernel stores numbers below 256 in the old 16-bit form, larger ones in the new form.
            Sh.run("mknod", m.path().resolve("old-chr").toString(), "c", "1", "3");
            Sh.run("mknod", m.path().resolve("new-blk").toString(), "b", "300", "70000");
            Sh.run("mknod", m.path().resolve("new-chr").toString(), "c", "4095", "1048575");
        }
        try (HostFile h = HostFile.open(img); LoopMount m = LoopMount.readOnly(img, 0, 0, "ext4", "")) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            Node n = ExtCorpusTest.lookup(fs, "new-chr");
            assertThat(n.rdevMajor()).isEqualTo(4095);
            assertThat(n.rdevMinor()).isEqualTo(1048575);
            TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), GuestTree.walk(fs, "lost+found"));
        }
    }

    @Test
    void needsRecoveryIsAWarningAndReadingGoesOn() throws Exception {
        Path img = mkfs("ext4", "16M");
        Sh.run("debugfs", "-w", "-R", "write /etc/hostname hostname", img.toString());
        Sh.run("debugfs", "-w", "-R", "feature needs_recovery", img.toString());
        try (HostFile h = HostFile.open(img)) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            assertThat(fs.warnings()).containsExactly("journal needs recovery (not replayed); reading as is");
            Node n = ExtCorpusTest.lookup(fs, "hostname");
            assertThat(read(fs.content(n), 0, (int) n.size())).isEqualTo(java.nio.file.Files.readAllBytes(Path.of("/etc/hostname")));
        }
    }

    private Path mkfs(String type, String size, String... extra) {
        Path img = dir.resolve(type + "-" + System.nanoTime() + ".img");
        List<String> cmd = Sh.list("mke2fs", "-q", "-F", "-t", type);
        cmd.addAll(List.of(extra));
        cmd.add(img.toString());
        cmd.add(size);
        Sh.run(cmd.toArray(String[]::new));
        return img;
    }

    private static void write(Path f, long at, byte[] data) throws Exception {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) ch.write(b, at + b.position());
        }
    }

    static byte[] read(Layer l, long at, int len) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(len);
        l.readFully(at, b);
        return b.array();
    }

    /** The volume block numbers of a file's data, in logical order, as our map gives them. */
    static List<Long> mappedBlocks(GuestFilesystem fs, Node n) throws Exception {
        List<Long> out = new ArrayList<>();
        int bs = fs.blockSize();
        for (Run r : fs.content(n).map(0, n.size())) {
            if (r instanceof Run.Mapped m) {
                for (long b = 0; b < (m.length() + bs - 1) / bs; b++) out.add(m.offset() / bs + b);
            }
        }
        return out;
    }

    /** The kernel's FIEMAP (filefrag -v) of a file on a mount: its data blocks in logical order. */
    static List<Long> fiemapBlocks(Path file, int bs) {
        List<Long> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^\\s*\\d+:\\s*(\\d+)\\.\\.\\s*(\\d+):\\s*(\\d+)\\.\\.\\s*(\\d+):", java.util.regex.Pattern.MULTILINE)
                .matcher(Sh.run("filefrag", "-v", "-b" + bs, file.toString()));
        while (m.find()) {
            long first = Long.parseLong(m.group(3));
            long last = Long.parseLong(m.group(4));
            for (long b = first; b <= last; b++) out.add(b);
        }
        return out;
    }
}
