package io.vdetach.apply.offline;

import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * Raw guest disks for the offline format tests, each made once per JVM by the real tools, with
 * the kernel's (or ntfs-3g's) read-only view of the guest filesystem as the reference:
 * <ul>
 * <li>{@link #ext4()}: 64 MiB, a GPT (sgdisk) with a 56 MiB ext4 partition made by
 *     {@code mke2fs -d} from the {@link FixtureTree} (a 40 MiB file, sparse files, links, xattrs,
 *     devices, odd names and times), so data outweighs metadata as on a real disk;</li>
 * <li>{@link #ext4Changed()}: the same disk after a read-write mount changed it (a new file, a file
 *     rewritten, one deleted): the top of a backing chain whose base is {@link #ext4()};</li>
 * <li>{@link #ntfs()}: 64 MiB, an MBR with a 60 MiB NTFS partition (mkntfs, 4 KiB clusters)
 *     filled through ntfs-3g: large files, small resident ones, a hard link, a symlink, an xattr.</li>
 * </ul>
 *
 * @param raw the raw disk (do not modify)
 * @param volume the volume name the scanner gives the guest filesystem
 * @param reference the guest filesystem as mounted read-only
 */
record FormatGuest(String name, Path raw, String volume, TreeMap<String, EntryFacts> reference) {
    private static final long MIB = 1L << 20;
    private static FormatGuest ext4;
    private static FormatGuest ext4Changed;
    private static FormatGuest ntfs;

    private static Path workDir() throws Exception {
        Path d = Files.createTempDirectory("vdetach-offline-guests");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Sh.exec(null, "rm", "-rf", d.toString())));
        return d;
    }

    static synchronized FormatGuest ext4() throws Exception {
        if (ext4 != null) return ext4;
        Path dir = workDir();
        Path tree = dir.resolve("tree");
        FixtureTree.create(tree, new FixtureTree.Options(40 * MIB, true, 0));
        // 4 KiB blocks, as on any real disk (mke2fs would pick 1 KiB for a filesystem this small)
        Path fs = ExtFixture.mkfs(dir.resolve("part.ext4"), 56 * MIB, tree, "ext4", "guest", "-b", "4096");
        Path disk = dir.resolve("ext4-guest.raw");
        Sh.run("truncate", "-s", "64M", disk.toString());
        Sh.run("sgdisk", "-n", "1:2048:+56M", "-t", "1:8300", "-c", "1:guest", disk.toString());
        ExtFixture.place(fs, disk, MIB);
        Files.delete(fs);
        Sh.run("rm", "-rf", tree.toString());
        ext4 = new FormatGuest("ext4", disk, "p1", reference(disk, "ext4", ""));
        return ext4;
    }

    static synchronized FormatGuest ext4Changed() throws Exception {
        if (ext4Changed != null) return ext4Changed;
        Path base = ext4().raw();
        Path disk = base.resolveSibling("ext4-guest-changed.raw");
        Sh.run("cp", "--sparse=always", base.toString(), disk.toString());
        try (LoopMount m = LoopMount.readWrite(disk, MIB, 56 * MIB, "ext4", "")) {
            Path r = m.path();
            Files.createDirectories(r.resolve("new"));
            Files.write(r.resolve("new/fresh.bin"), FixtureTree.bytes(3 << 20, 4242));
            Files.write(r.resolve("files/f65536"), FixtureTree.bytes(65536, 4343));
            Files.delete(r.resolve("files/f200000"));
        }
        ext4Changed = new FormatGuest("ext4-changed", disk, "p1", reference(disk, "ext4", ""));
        return ext4Changed;
    }

    static synchronized FormatGuest ntfs() throws Exception {
        if (ntfs != null) return ntfs;
        Path dir = workDir();
        Path part = dir.resolve("part.ntfs");
        Sh.run("truncate", "-s", "60M", part.toString());
        Sh.run("mkntfs", "-F", "-Q", "-q", "-c", "4096", "-L", "guest", part.toString());
        Path mnt = Files.createTempDirectory("vdetach-ntfs-rw");
        try {
            Sh.run("ntfs-3g", "-o", "streams_interface=xattr", part.toString(), mnt.toString());
            try {
                Sh.Result r = Sh.exec(mnt, "bash", "-c", """
                        set -eu
                        mkdir -p data/deeper docs empty
                        head -c 36000000 /dev/urandom > data/large.bin
                        head -c 3000000 /dev/urandom > data/deeper/three-mb.bin
                        head -c 1000000 /dev/urandom > docs/one-mb.bin
                        head -c 123457 /dev/urandom > docs/odd-size.bin
                        head -c 8192 /dev/urandom > docs/two-clusters.bin
                        printf 'resident\\n' > docs/tiny.txt
                        head -c 300 /dev/urandom > data/small-resident.bin
                        truncate -s 0 empty/zero-length
                        truncate -s 6M data/sparse.bin; printf tail | dd of=data/sparse.bin bs=1 seek=6291000 conv=notrunc status=none
                        ln docs/one-mb.bin data/hard-link.bin
                        ln -s ../docs/tiny.txt data/relative-link
                        setfattr -n user.colour -v green docs/odd-size.bin
                        printf 'é' > 'docs/héllo wörld.txt'
                        touch -d '2021-01-01 13:37:00.123456789' docs/one-mb.bin
                        touch -d '1999-12-31 23:59:59.5' data/deeper
                        """);
                if (r.exit() != 0) throw new AssertionError("ntfs guest script: " + r.err());
            } finally {
                Sh.run("umount", mnt.toString());
            }
        } finally {
            Files.deleteIfExists(mnt);
        }
        Path disk = dir.resolve("ntfs-guest.raw");
        Sh.run("truncate", "-s", "64M", disk.toString());
        Sh.bash("printf 'label: dos\\n2048,%d,7\\n' " + (60 * MIB / 512) + " | sfdisk -q " + disk);
        ExtFixture.place(part, disk, MIB);
        Files.delete(part);
        ntfs = new FormatGuest("ntfs", disk, "p1", reference(disk, "ntfs-3g", "streams_interface=xattr"));
        return ntfs;
    }

    private static TreeMap<String, EntryFacts> reference(Path disk, String type, String options) throws Exception {
        long size = type.equals("ntfs-3g") ? 60 * MIB : 56 * MIB;
        try (LoopMount m = LoopMount.readOnly(disk, MIB, size, type, options)) {
            return HostTree.walk(m.path());
        }
    }
}
