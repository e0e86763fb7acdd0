package io.vdetach.guestfs.ext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real images (mke2fs, debugfs, a kernel mount) with bytes patched: every damage gives a
 * {@link CorruptImageException} naming the structure and offset, in bounded time, and damage
 * in one inode fails only the calls that read it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExtCorruptTest {
    @TempDir Path dir;
    Path img;
    static final int BS = 4096;

    @BeforeEach
    void base() throws Exception {
        Need.tools("mke2fs", "debugfs");
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("a/b"));
        Files.write(tree.resolve("a/b/file"), FixtureTree.bytes(20_000, 1));
        Files.write(tree.resolve("other"), FixtureTree.bytes(50_000, 2));
        img = dir.resolve("base.img");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", Integer.toString(BS), "-d", tree.toString(), img.toString(), "16M");
    }

    @Test
    void blocksCountBeyondTheVolume() throws Exception {
        patch32(1024 + 0x4, 0x7fffffff);
        assertCorruptOpen("superblock", 1024 + 0x4, "exceeds the volume");
    }

    @Test
    void hugeLogBlockSize() throws Exception {
        patch32(1024 + 0x18, 40);
        assertCorruptOpen("superblock", 1024 + 0x18, "s_log_block_size 40");
    }

    @Test
    void zeroInodesPerGroup() throws Exception {
        patch32(1024 + 0x28, 0);
        assertCorruptOpen("superblock", 1024 + 0x28, "s_inodes_per_group 0");
    }

    @Test
    void absurdInodeCount() throws Exception {
        patch32(1024, 0xfffffff0);
        assertCorruptOpen("superblock", 1024, "s_inodes_count");
    }

    @Test
    void extentPastTheVolumeEndFailsOnlyThatFile() throws Exception {
        long ino = inodeOffset("a/b/file");
        patch32(ino + 0x28 + 12 + 8, 0x7fff0000); // ee_start_lo of the first extent
        try (HostFile h = HostFile.open(img)) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            Node n = ExtCorpusTest.lookup(fs, "a/b/file");
            assertThatThrownBy(() -> fs.content(n)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("extent tree of inode " + n.id())
                    .hasMessageContaining("at offset " + (ino + 0x28 + 12))
                    .hasMessageContaining("outside the volume");
            Node other = ExtCorpusTest.lookup(fs, "other");
            assertThat(GuestTree.sha256(fs.content(other))).isEqualTo(sha256(FixtureTree.bytes(50_000, 2)));
        }
    }

    @Test
    void extentTreeTooDeep() throws Exception {
        long ino = inodeOffset("a/b/file");
        patch16(ino + 0x28 + 6, 9);
        assertCorruptContent("a/b/file", "extent tree depth 9", ino + 0x28 + 6);
    }

    @Test
    void extentTreeLoopAndBadDepth() throws Exception {
        Need.root();
        // A fragmented file on 1 KiB blocks: a root of index entries over several leaf blocks.
        Path onek = dir.resolve("onek.img");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "1024", onek.toString(), "16M");
        try (LoopMount m = LoopMount.readWrite(onek, 0, 0, "ext4", "")) {
            try (FileChannel ch = FileChannel.open(m.path().resolve("frag"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                for (int i = 0; i < 300; i++) ch.write(ByteBuffer.wrap(FixtureTree.bytes(1024, i)), 2048L * i);
            }
        }
        img = onek;
        long ino = inodeOffset("frag");
        ByteBuffer root = read(ino + 0x28, 60);
        assertThat(root.getShort(6)).as("root depth").isEqualTo((short) 1);
        assertThat(root.getShort(2)).as("root entries").isGreaterThanOrEqualTo((short) 2);
        long firstLeaf = root.getInt(12 + 4) & 0xffffffffL;
        int secondLeaf = root.getInt(24 + 4);

        // The second index entry points at the first leaf too: a shared subtree / loop.
        patch32(ino + 0x28 + 24 + 4, (int) firstLeaf);
        assertCorruptContent("frag", "reached twice", ino + 0x28 + 24);

        // A leaf that claims to be an index node: its depth does not fit under the root.
        patch32(ino + 0x28 + 24 + 4, secondLeaf);
        patch16(firstLeaf * 1024 + 6, 1);
        assertCorruptContent("frag", "node depth 1 under a node of depth 1", firstLeaf * 1024 + 6);
    }

    @Test
    void badInodeFailsOnlyItsOwnNodeCall() throws Exception {
        long ino = inodeOffset("a/b/file");
        patch16(ino + 0x80, 1000); // i_extra_isize past the 256-byte inode
        try (HostFile h = HostFile.open(img)) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            Node b = ExtCorpusTest.lookup(fs, "a/b");
            long id = fs.list(b).getFirst().id();
            assertThatThrownBy(() -> fs.node(id)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("corrupt inode " + id + " at offset " + (ino + 0x80)).hasMessageContaining("i_extra_isize 1000");
            assertThat(ExtCorpusTest.lookup(fs, "other").size()).isEqualTo(50_000);
        }
    }

    @Test
    void inodeTableOutsideTheVolume() throws Exception {
        long gdt = BS; // group descriptors follow the superblock's block
        patch32(gdt + 0x8, 0x7ffffff0);
        try (HostFile h = HostFile.open(img)) {
            assertThatThrownBy(() -> ExtFilesystem.open(h)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("corrupt group descriptor 0 at offset " + (gdt + 0x8));
        }
    }

    @Test
    void directoryRecLenZero() throws Exception {
        long block = firstBlock("a");
        patch16(block * BS + 4, 0);
        assertCorruptList("a", "rec_len 0", block * BS);
    }

    @Test
    void directoryRecLenPastTheBlock() throws Exception {
        long block = firstBlock("a");
        patch16(block * BS + 12 + 4, BS); // ".." starts at 12 and claims a whole block
        assertCorruptList("a", "runs past the block", block * BS + 12);
    }

    @Test
    void directoryEntryNamingAnInodeThatDoesNotExist() throws Exception {
        long block = firstBlock("a");
        patch32(block * BS + 24, 0x7ffffff0); // the entry after "." and "..": "b"
        assertCorruptList("a", "above s_inodes_count", block * BS + 24);
    }

    @Test
    void directoryCycleIsBounded() throws Exception {
        // /a/b/up names /a: the reader lists it as it is; a walker sees the cycle.
        Sh.run("debugfs", "-w", "-R", "link /a /a/b/up", img.toString());
        try (HostFile h = HostFile.open(img)) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            Node b = ExtCorpusTest.lookup(fs, "a/b");
            assertThat(fs.list(b)).hasSize(2);
            assertThatThrownBy(() -> GuestTree.walk(fs)).hasMessageContaining("directory cycle");
        }
        // A directory naming itself or the root is a cycle the reader reports itself.
        Sh.run("debugfs", "-w", "-R", "link /a/b /a/b/self", img.toString());
        try (HostFile h = HostFile.open(img)) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            Node b = ExtCorpusTest.lookup(fs, "a/b");
            assertThatThrownBy(() -> fs.list(b)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("directory inode " + b.id()).hasMessageContaining("cycle");
        }
    }

    @Test
    void truncatedVolume() throws Exception {
        try (RandomAccessFile r = new RandomAccessFile(img.toFile(), "rw")) {
            r.setLength(8L << 20);
        }
        assertCorruptOpen("superblock", 1024 + 0x4, "exceeds the volume");
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void assertCorruptOpen(String structure, long offset, String detail) throws Exception {
        try (HostFile h = HostFile.open(img)) {
            assertThatThrownBy(() -> FilesystemProbe.probe(h)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("corrupt " + structure + " at offset " + offset).hasMessageContaining(detail);
        }
    }

    private void assertCorruptContent(String path, String detail, long offset) throws Exception {
        try (HostFile h = HostFile.open(img)) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            Node n = ExtCorpusTest.lookup(fs, path);
            assertThatThrownBy(() -> fs.content(n)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("inode " + n.id()).hasMessageContaining("at offset " + offset).hasMessageContaining(detail);
        }
    }

    private void assertCorruptList(String path, String detail, long offset) throws Exception {
        try (HostFile h = HostFile.open(img)) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            Node n = ExtCorpusTest.lookup(fs, path);
            assertThatThrownBy(() -> fs.list(n)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("directory entry of inode " + n.id())
                    .hasMessageContaining("at offset " + offset).hasMessageContaining(detail);
            assertThat(fs.list(fs.node(fs.rootId()))).isNotEmpty();
        }
    }

    /** Byte offset of an inode in the image, from debugfs imap. */
    private long inodeOffset(String path) {
        String out = Sh.run("debugfs", "-R", "imap " + path, img.toString());
        Matcher m = Pattern.compile("located at block (\\d+), offset 0x([0-9a-f]+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        int bs = img.getFileName().toString().startsWith("onek") ? 1024 : BS;
        return Long.parseLong(m.group(1)) * bs + Long.parseLong(m.group(2), 16);
    }

    private long firstBlock(String path) {
        return Long.parseLong(Sh.run("debugfs", "-R", "blocks " + path, img.toString()).trim().split("\\s+")[0]);
    }

    private ByteBuffer read(long at, int n) throws Exception {
        try (FileChannel ch = FileChannel.open(img)) {
            ByteBuffer b = ByteBuffer.allocate(n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ch.read(b, at);
            return b.flip();
        }
    }

    private void patch32(long at, int v) throws Exception {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, v), at);
        }
    }

    private void patch16(long at, int v) throws Exception {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(2).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(0, (short) v), at);
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }
}
