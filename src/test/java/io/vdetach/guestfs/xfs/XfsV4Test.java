package io.vdetach.guestfs.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * XFS v4 (crc=0). This kernel refuses to mount V4 ("Deprecated V4 format (crc=0) not supported
 * by kernel"), so the image is populated at mkfs time from a prototype file (mkfs.xfs -p), and the
 * oracle is that prototype: the source files' bytes plus the types, modes, owners and targets it
 * names. mkfs stamps every inode with the current time, so mtimes are not compared; proto files
 * cannot express xattrs or hard links.
 */
class XfsV4Test {
    @TempDir Path dir;

    @Test
    void v4WithFtype() throws Exception {
        check("-m crc=0", 4096, 6000);
    }

    @Test
    void v4WithoutFtypeOn4KiBSectorsAnd16KiBDirectoryBlocks() throws Exception {
        check("-m crc=0 -n ftype=0,size=16384 -s size=4096", 4096, 3000);
    }

    private void check(String mkfs, int blockSize, int bigdir) throws Exception {
        Need.root();
        Need.tools("mkfs.xfs");
        Path src = Files.createDirectories(dir.resolve("src"));
        TreeMap<String, EntryFacts> expected = new TreeMap<>();
        StringBuilder p = new StringBuilder("/dev/null\n0 0\nd--755 0 0\n");
        expected.put(".", dir(0755, 0, 0));
        file(p, expected, src, "", "a", "hi\n", "---644", 0644, 10, 20);
        file(p, expected, src, "", "empty", "", "---600", 0600, 0, 0);
        file(p, expected, src, "", "f4097", "z".repeat(4097), "---644", 0644, 0, 0);
        file(p, expected, src, "", "big", "0123456789abcdef".repeat(187500), "---644", 0644, 0, 0);
        p.append("sub d--750 1 2\n");
        expected.put("sub", dir(0750, 1, 2));
        file(p, expected, src, "sub", "b", "b".repeat(5000), "-u-755", 04755, 0, 0);
        file(p, expected, src, "sub", "g", "g", "--g710", 02710, 3, 4);
        link(p, expected, "sub/l", "l", "../a");
        link(p, expected, "sub/longlink", "longlink", "d/".repeat(150) + "t");
        p.append("$\n");
        p.append("fifo p--600 0 0\n");
        expected.put("fifo", new EntryFacts("fifo", 0, "", 0600, 0, 0, 0, 0, "", 0, new TreeMap<>(), ""));
        p.append("cdev c--644 0 0 4 5\n");
        expected.put("cdev", new EntryFacts("chr", 0, "", 0644, 0, 0, 0, 0, "", (4 << 8) | 5, new TreeMap<>(), ""));
        p.append("bdev b--660 0 6 7 200\n");
        expected.put("bdev", new EntryFacts("blk", 0, "", 0660, 0, 6, 0, 0, "", (7 << 8) | 200, new TreeMap<>(), ""));
        for (String d : new String[] {"bigdir:" + bigdir, "middir:300", "smalldir:3"}) {
            String name = d.substring(0, d.indexOf(':'));
            int n = Integer.parseInt(d.substring(d.indexOf(':') + 1));
            p.append(name).append(" d--755 0 0\n");
            expected.put(name, dir(0755, 0, 0));
            for (int i = 0; i < n; i++) {
                String f = String.format("entry-%06d", i);
                p.append(f).append(" ---644 0 0 ").append(src.resolve("empty")).append('\n');
                expected.put(name + "/" + f, new EntryFacts("file", 0, expected.get("empty").sha256(), 0644, 0, 0, 0, 0, "", 0, new TreeMap<>(), ""));
            }
            p.append("$\n");
        }
        p.append("$\n");
        Path proto = dir.resolve("proto");
        Files.writeString(proto, p.toString());
        Path img = dir.resolve("v4.img");
        Sh.run("truncate", "-s", "96M", img.toString());
        Sh.bash(XfsFixture.SMALL_OK + "mkfs.xfs -q -f " + mkfs + " -p " + proto + " " + img + " 2>&1");
        // xattrs: protofiles cannot carry them, so xfs_db -x attr_set adds them (values are 'v' * length)
        java.util.List<String> db = Sh.list("xfs_db", "-x");
        attrs(db, expected, "a", "", "small", 10, "", "other", 3, "-r", "root", 7);
        attrs(db, expected, "sub/b", "-s", "sec", 3, "", "x", 1, "", "remote", 5000); // xfs_db 6.1 crashes when the remote value comes first
        db.addAll(java.util.List.of("-c", "path /big"));
        TreeMap<String, String> many = new TreeMap<>(expected.get("big").xattrs());
        for (int i = 0; i < 400; i++) {
            db.addAll(java.util.List.of("-c", "attr_set -v " + (i % 50 + 1) + " attribute-number-" + i));
            many.put("user.attribute-number-" + i, "76".repeat(i % 50 + 1));
        }
        EntryFacts big = expected.get("big");
        expected.put("big", new EntryFacts(big.type(), big.size(), big.sha256(), big.mode(), big.uid(), big.gid(), 0, 0, "", 0, many, ""));
        db.add(img.toString());
        Sh.run(db.toArray(String[]::new));
        try (HostFile f = HostFile.open(img); XfsFilesystem fs = XfsFilesystem.open(f, BlockCache.withDefaultBudget())) {
            assertThat(fs.superblock().version()).isEqualTo(4);
            assertThat(fs.superblock().hasFtype()).isEqualTo(!mkfs.contains("ftype=0"));
            TreeMap<String, EntryFacts> actual = TreeAssert.ignoring(GuestTree.walk(fs), false, false, true, false);
            TreeAssert.assertSameTree(expected, actual);
            assertThat(fs.blockSize()).isEqualTo(blockSize);
            XfsFixture.assertLogWarningMatches(fs, img);
        }
        // xfs_db, an independent reader, agrees on the big directory's size
        String ls = Sh.run("xfs_db", "-r", "-c", "path /bigdir", "-c", "ls", img.toString());
        assertThat(ls.lines().filter(l -> l.contains("entry-")).count()).isEqualTo(bigdir);
    }

    /** Adds three attribute-setting commands for {@code path} as (flag, name, length) triples. */
    private static void attrs(java.util.List<String> db, TreeMap<String, EntryFacts> exp, String path, Object... triples) {
        db.addAll(java.util.List.of("-c", "path /" + path));
        EntryFacts e = exp.get(path);
        TreeMap<String, String> x = new TreeMap<>(e.xattrs());
        for (int i = 0; i < triples.length; i += 3) {
            String flag = (String) triples[i];
            String name = (String) triples[i + 1];
            int len = (Integer) triples[i + 2];
            db.addAll(java.util.List.of("-c", "attr_set " + flag + " -v " + len + " " + name));
            String ns = flag.equals("-r") ? "trusted." : flag.equals("-s") ? "security." : "user.";
            x.put(ns + name, "76".repeat(len));
        }
        exp.put(path, new EntryFacts(e.type(), e.size(), e.sha256(), e.mode(), e.uid(), e.gid(), 0, 0, e.linkTarget(), 0, x, ""));
    }

    private static EntryFacts dir(int mode, long uid, long gid) {
        return new EntryFacts("dir", 0, "", mode, uid, gid, 0, 0, "", 0, new TreeMap<>(), "");
    }

    private static void file(StringBuilder p, TreeMap<String, EntryFacts> exp, Path src, String parent, String name,
                             String content, String protoMode, int mode, long uid, long gid) throws Exception {
        Path s = src.resolve(parent.isEmpty() ? name : parent + "-" + name);
        Files.writeString(s, content);
        p.append(name).append(' ').append(protoMode).append(' ').append(uid).append(' ').append(gid).append(' ').append(s).append('\n');
        exp.put(parent.isEmpty() ? name : parent + "/" + name,
                new EntryFacts("file", content.length(), HostTree.sha256(s), mode, uid, gid, 0, 0, "", 0, new TreeMap<>(), ""));
    }

    private static void link(StringBuilder p, TreeMap<String, EntryFacts> exp, String path, String name, String target) {
        p.append(name).append(" l--777 0 0 ").append(target).append('\n');
        exp.put(path, new EntryFacts("symlink", target.length(), "", 0777, 0, 0, 0, 0, target, 0, new TreeMap<>(), ""));
    }
}
