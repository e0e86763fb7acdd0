package io.vdetach.guestfs.xfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real images damaged on purpose (xfs_db -x field writes, or raw byte patches): errors, never hangs. */
@Timeout(60)
class XfsCorruptTest {
    @TempDir static Path shared;
    @TempDir Path dir;
    static Path pristine;
    static final Map<String, Long> INO = new HashMap<>();

    @BeforeAll
    static void build() throws Exception {
        Need.root();
        Need.tools("mkfs.xfs", "xfs_db", "setfattr");
        pristine = XfsFixture.build(shared, "base.img", 64, "-m crc=1", "small");
        try (HostFile f = HostFile.open(pristine); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            for (DirEntry e : fs.list(fs.node(fs.rootId()))) INO.put(new String(e.name(), StandardCharsets.UTF_8), e.id());
            for (DirEntry e : fs.list(fs.node(INO.get("dir")))) INO.put("dir/" + new String(e.name(), StandardCharsets.UTF_8), e.id());
        }
    }

    private Path copy() throws Exception {
        Path img = dir.resolve("c.img");
        Sh.run("cp", "--sparse=always", pristine.toString(), img.toString());
        return img;
    }

    private static void db(Path img, String... cmds) {
        java.util.List<String> c = Sh.list("xfs_db", "-x");
        for (String s : cmds) { c.add("-c"); c.add(s); }
        c.add(img.toString());
        Sh.run(c.toArray(String[]::new));
    }

    private static void patch(Path img, long at, byte[] bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(at);
            f.write(bytes);
        }
    }

    private static CorruptImageException walkFails(Path img) throws Exception {
        try (HostFile f = HostFile.open(img)) {
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> {
                try (XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
                    GuestTree.walk(fs);
                }
            });
            assertThat(t).isInstanceOf(CorruptImageException.class);
            return (CorruptImageException) t;
        }
    }

    @Test
    void pristineWalks() throws Exception {
        try (HostFile f = HostFile.open(pristine); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            assertThat(GuestTree.walk(fs)).containsKey("middir/entry-with-a-longer-name-300");
        }
    }

    @Test
    void zeroAgCount() throws Exception {
        Path img = copy();
        patch(img, 88, new byte[4]);
        CorruptImageException e = walkFails(img);
        assertThat(e.structure()).isEqualTo("superblock");
        assertThat(e.offset()).isZero();
    }

    @Test
    void dataBlocksBeyondTheVolume() throws Exception {
        Path img = copy();
        patch(img, 8, new byte[] {0, 0, 0, 1, 0, 0, 0, 0}); // sb_dblocks = 2^32 blocks
        assertThat(walkFails(img).getMessage()).contains("superblock");
    }

    @Test
    void realtimeIsUnsupported() throws Exception {
        Path img = copy();
        patch(img, 24, new byte[] {0, 0, 0, 0, 0, 0, 0, 8}); // sb_rextents
        try (HostFile f = HostFile.open(img)) {
            assertThatThrownBy(() -> XfsFilesystem.open(f, BlockCache.withDefaultBudget())).isInstanceOf(UnsupportedImageException.class)
                    .hasMessageContaining("XFS realtime device is not supported");
        }
    }

    @Test
    void needsRepairIsAWarning() throws Exception {
        Path img = copy();
        byte[] b = new byte[1];
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
            f.seek(219); // low byte of sb_features_incompat
            f.readFully(b);
        }
        patch(img, 219, new byte[] {(byte) (b[0] | 0x10)});
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            assertThat(fs.warnings()).anyMatch(w -> w.contains("xfs_repair"));
            assertThat(GuestTree.walk(fs)).containsKey("one");
        }
    }

    /** xfs_io shutdown -f flushes the log but writes no unmount record: the image of a crashed guest. */
    @Test
    void dirtyLogIsAWarning() throws Exception {
        Path img = copy();
        try (io.vdetach.testkit.LoopMount m = io.vdetach.testkit.LoopMount.readWrite(img, 0, 0, "xfs", "")) {
            Sh.run("bash", "-c", "echo changed > " + m.path() + "/after-crash && mkdir " + m.path() + "/newdir");
            Sh.run("xfs_io", "-x", "-c", "shutdown -f", m.path().toString());
        }
        assertThat(XfsFixture.logState(img)).isEqualTo("DIRTY");
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            assertThat(fs.warnings()).anyMatch(w -> w.contains("not cleanly unmounted"));
            XfsFixture.assertLogWarningMatches(fs, img);
        }
        try (HostFile f = HostFile.open(pristine); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            assertThat(fs.warnings()).isEmpty();
        }
    }

    /** After enough metadata churn the log wraps (cycle > 1): clean and crashed states still agree with xfs_logprint. */
    @Test
    void wrappedLogCleanThenDirty() throws Exception {
        Path img = copy();
        String churn = "import os,sys\nd=sys.argv[1]\nfor r in range(6):\n  for i in range(15000): open(d+'/c%d'%i,'w').close()\n"
                + "  for i in range(15000): os.unlink(d+'/c%d'%i)\n";
        try (io.vdetach.testkit.LoopMount m = io.vdetach.testkit.LoopMount.readWrite(img, 0, 0, "xfs", "")) {
            Sh.run("python3", "-c", churn, m.path().toString());
        }
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            XfsBlockReader r = new XfsBlockReader(f, fs.superblock(), BlockCache.withDefaultBudget());
            long logAt = r.fsbToByte(fs.superblock().logStart(), "log", 0);
            java.nio.ByteBuffer first = r.bytesInBlock(logAt, 512);
            int cycle = first.getInt(0) == 0xFEEDBABE ? first.getInt(4) : first.getInt(0); // record header or cycle stamp
            assertThat(cycle).as("cycle of the log's first block").isGreaterThan(1);
            assertThat(XfsFixture.logState(img)).isEqualTo("CLEAN");
            XfsFixture.assertLogWarningMatches(fs, img);
        }
        try (io.vdetach.testkit.LoopMount m = io.vdetach.testkit.LoopMount.readWrite(img, 0, 0, "xfs", "")) {
            Sh.run("python3", "-c", churn.replace("range(6)", "range(1)") + "open(d+'/kept','w').close()\n", m.path().toString());
            Sh.run("xfs_io", "-x", "-c", "shutdown -f", m.path().toString());
        }
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            assertThat(XfsFixture.logState(img)).isEqualTo("DIRTY");
            XfsFixture.assertLogWarningMatches(fs, img);
        }
    }

    @Test
    void extentPastTheVolume() throws Exception {
        Path img = copy();
        db(img, "inode " + INO.get("f4097"), "write u3.bmx[0].startblock 16777000");
        CorruptImageException e = walkFails(img);
        assertThat(e.getMessage()).contains("inode " + INO.get("f4097")).contains("outside");
    }

    @Test
    void bmbtLoop() throws Exception {
        Path img = copy();
        long ino = INO.get("fragmented");
        String ptrs = Sh.run("xfs_db", "-r", "-c", "inode " + ino, "-c", "p u3.bmbt.ptrs", img.toString());
        String first = ptrs.replaceAll("(?s).*?1:(\\d+).*", "$1").trim();
        db(img, "inode " + ino, "write u3.bmbt.ptrs[2] " + first);
        CorruptImageException e = walkFails(img);
        assertThat(e.getMessage()).contains("loop");
    }

    @Test
    void directoryCycleIsStoppedByTheWalker() throws Exception {
        Path img = copy();
        long sub = INO.get("dir/sub");
        // dir/sub's first entry ("deep" or "big") now names dir/sub's parent "dir"
        db(img, "inode " + sub, "write u3.sfdir3.list[0].inumber.i4 " + INO.get("dir"));
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> GuestTree.walk(fs));
            assertThat(t).isNotNull();
            assertThat(t.getMessage()).containsAnyOf("cycle", "corrupt");
            // extraction's walker reports the cycle as an entry error and finishes the walk
            java.util.List<String> errors = new java.util.ArrayList<>();
            int[] entries = new int[1];
            io.vdetach.guestfs.TreeWalker.walk(fs, new io.vdetach.guestfs.TreeWalker.Visitor() {
                @Override public boolean enter(java.util.List<byte[]> path, io.vdetach.guestfs.Node dir) { return true; }
                @Override public void leave(java.util.List<byte[]> path, io.vdetach.guestfs.Node dir) { }
                @Override public void entry(java.util.List<byte[]> path, io.vdetach.guestfs.Node node) { entries[0]++; }
                @Override public void error(java.util.List<byte[]> path, String reason) {
                    errors.add(io.vdetach.guestfs.TreeWalker.display(path) + ": " + reason);
                }
            });
            assertThat(errors).anyMatch(e -> e.startsWith("dir/sub/") && e.contains("second time"));
            assertThat(entries[0]).isGreaterThan(10);
        }
    }

    @Test
    void badMagicInADirectoryBlock() throws Exception {
        Path img = copy();
        long at;
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            XfsDinode d = fs.dinode(INO.get("middir"));
            XfsBlockReader r = new XfsBlockReader(f, fs.superblock(), BlockCache.withDefaultBudget());
            XfsForkReader fork = new XfsForkReader(r, XfsBmap.extents(r, d, d.format(), d.dataFork(), d.nextents(),
                    d.dataForkOffset(), "data fork"), "dir", d.at());
            at = fork.volumeOffset(0);
        }
        patch(img, at, "JUNK".getBytes(StandardCharsets.US_ASCII));
        CorruptImageException e = walkFails(img);
        assertThat(e.offset()).isEqualTo(at);
        assertThat(e.getMessage()).contains("bad magic");
    }

    @Test
    void garbageInodeCore() throws Exception {
        Path img = copy();
        long at;
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            at = fs.dinode(INO.get("manyattrs")).at();
        }
        byte[] junk = new byte[512];
        new java.util.Random(7).nextBytes(junk);
        junk[0] = 'I';
        junk[1] = 'N';
        junk[4] = 3;
        patch(img, at, junk);
        CorruptImageException e = walkFails(img);
        assertThat(e.offset()).isBetween(0L, Files.size(img));
    }
}
