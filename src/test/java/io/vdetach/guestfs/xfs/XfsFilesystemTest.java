package io.vdetach.guestfs.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.TreeAssert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XfsFilesystemTest {
    @TempDir Path dir;

    @Test
    void v5MatchesTheKernel() throws Exception {
        compareWithKernel("crc=1", "-m crc=1 -L vdetachxfs", "small");
    }

    @Test
    void v5With4KiBSectors8KiBDirectoryBlocksAndNrext64MatchesTheKernel() throws Exception {
        compareWithKernel("4k", "-m crc=1 -s size=4096 -n size=8192 -i nrext64=1", "full");
    }

    @Test
    void v5WithoutBigtimeOrFtypeOn1KiBBlocksMatchesTheKernel() throws Exception {
        compareWithKernel("1k", "-m crc=1,bigtime=0 -b size=1024", "small");
    }

    /**
     * 2.5 TiB sparse (65 MB used) with 512 GiB AGs: directories rotored into AG 4 get inode numbers
     * above 2^32, so short-form directories store 8-byte inode numbers (i8count).
     */
    @Test
    void v5With64BitInodeNumbersMatchesTheKernel() throws Exception {
        compareWithKernel("ino64", "-m crc=1 -d agsize=512g -l size=64m", "small", 2560 * 1024);
    }

    private void compareWithKernel(String name, String mkfs, String tree) throws Exception {
        compareWithKernel(name, mkfs, tree, 96);
    }

    private void compareWithKernel(String name, String mkfs, String tree, int sizeMb) throws Exception {
        Need.root();
        Need.tools("mkfs.xfs", "setfattr", "getfattr");
        Path img = XfsFixture.build(dir, name + ".img", sizeMb, mkfs, tree);
        TreeMap<String, EntryFacts> expected;
        try (LoopMount m = LoopMount.readOnly(img, 0, 0, "xfs", "")) {
            expected = HostTree.walk(m.path());
        }
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            long t0 = System.nanoTime();
            TreeMap<String, EntryFacts> actual = GuestTree.walk(fs);
            System.out.printf("xfs %s: %d entries walked in %d ms%n", name, actual.size(), (System.nanoTime() - t0) / 1_000_000);
            TreeAssert.assertSameTree(expected, actual);
            assertThat(fs.blockSize()).isEqualTo(mkfs.contains("size=1024") ? 1024 : 4096);
            if (mkfs.contains("-L")) assertThat(fs.label()).isEqualTo("vdetachxfs");
            checkForks(fs, f);
            XfsFixture.assertLogWarningMatches(fs, img);
            assertThat(fs.warnings()).isEmpty();
            if (name.equals("ino64")) {
                assertThat(fs.list(fs.node(fs.rootId()))).anyMatch(e -> e.id() > 0xffffffffL);
            }
        }
    }

    /** The forms the tree was built to produce really occur, and runs land on fs blocks. */
    private static void checkForks(XfsFilesystem fs, HostFile f) throws Exception {
        Node root = fs.node(fs.rootId());
        for (DirEntry e : fs.list(root)) {
            String n = new String(e.name(), StandardCharsets.UTF_8);
            XfsDinode d = fs.dinode(e.id());
            switch (n) {
                case "fragmented" -> assertThat(d.format()).isEqualTo(XfsDinode.FMT_BTREE);
                case "bigdir" -> assertThat(d.format()).isEqualTo(XfsDinode.FMT_BTREE);
                case "smalldir" -> assertThat(d.format()).isEqualTo(XfsDinode.FMT_LOCAL);
                case "manyattrs" -> assertThat(d.aformat()).isIn(XfsDinode.FMT_EXTENTS, XfsDinode.FMT_BTREE);
                case "prealloc" -> {
                    List<Run> runs = fs.content(fs.node(e.id())).map(0, 1 << 20);
                    assertThat(runs).anyMatch(r -> r instanceof Run.Hole);
                    assertThat(runs).anyMatch(r -> r instanceof Run.Mapped);
                }
                case "dir" -> { }
                default -> { }
            }
            Node node = fs.node(e.id());
            if (node.type() == io.vdetach.guestfs.EntryType.FILE) {
                for (Run r : fs.content(node).map(0, node.size())) {
                    if (r instanceof Run.Mapped m) {
                        assertThat(m.target()).isSameAs(f);
                        assertThat(m.offset() % fs.blockSize()).isZero();
                    }
                }
            }
        }
    }

    @Test
    void dissectCorpusImage() throws Exception {
        Path img = io.vdetach.testkit.Corpus.file("dissect.xfs/xfs.bin");
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            assertThat(fs.rootId()).isEqualTo(11072);
            TreeMap<String, EntryFacts> tree = GuestTree.walk(fs);
            assertThat(tree).containsKeys("test_file", "test_dir", "test_link");
            assertThat(tree.get("test_link").linkTarget()).isEqualTo("test_dir/test_file");
            assertThat(tree.get("test_file").sha256()).isEqualTo(io.vdetach.testkit.HostTree.sha256(writeTemp("test content\n")));
            java.util.Map<String, Long> ids = new java.util.HashMap<>();
            for (DirEntry e : fs.list(fs.node(fs.rootId()))) ids.put(new String(e.name(), StandardCharsets.UTF_8), e.id());
            XfsFixture.assertLogWarningMatches(fs, img);
            assertThat(ids).containsEntry("test_file", 11075L).containsEntry("test_dir", 11076L).containsEntry("test_link", 11078L);
            if (!"root".equals(System.getProperty("user.name"))) return;
            Path copy = dir.resolve("xfs.bin"); // the mount replays nothing on a read-only copy, but never touch the corpus
            java.nio.file.Files.copy(img, copy);
            try (LoopMount m = LoopMount.readOnly(copy, 0, 0, "xfs", "norecovery")) {
                TreeAssert.assertSameTree(HostTree.walk(m.path()), tree);
            }
        }
    }

    private Path writeTemp(String s) throws Exception {
        Path p = dir.resolve("expected");
        java.nio.file.Files.writeString(p, s);
        return p;
    }

    @Test
    void probeOpensXfs() throws Exception {
        Need.root();
        Need.tools("mkfs.xfs");
        Path img = dir.resolve("p.img");
        io.vdetach.testkit.Sh.run("truncate", "-s", "64M", img.toString());
        io.vdetach.testkit.Sh.bash(XfsFixture.SMALL_OK + "mkfs.xfs -q -f -L lbl " + img);
        try (HostFile f = HostFile.open(img)) {
            Probed p = FilesystemProbe.probe(f);
            assertThat(p).isInstanceOf(Probed.Readable.class);
            assertThat(((Probed.Readable) p).filesystem().label()).isEqualTo("lbl");
        }
    }
}
