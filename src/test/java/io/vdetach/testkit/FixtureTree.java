package io.vdetach.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The deterministic fixture tree every exactness test reuses: build it on the host (as root),
 * turn it into a guest filesystem with the real tools (e.g. {@code mke2fs -d}), and compare
 * the reader or an extraction with the kernel's view of that filesystem.
 *
 * <p>It holds: nested directories; empty and 1-byte files; files of 4095/4096/4097 bytes; a
 * large pseudo-random file; sparse files with holes in the middle and at the end; relative,
 * absolute, dangling, long (slow) symlinks; hard links across directories; a fifo; a socket;
 * user.* xattrs (small and large); unicode, newline-containing and 255-byte names; a 40-level
 * deep path; a directory with many entries; setuid, setgid and sticky modes; mtimes before
 * 1970, in 1970, past 2038 and in 2100 with nanoseconds; files owned by other uids/gids
 * (above 65535 too). Optionally a character device (1,3). Same bytes and metadata on every run.
 */
public final class FixtureTree {
    private FixtureTree() {}

    /**
     * @param largeFileSize size of {@code big/large.bin} (pseudo-random content)
     * @param deviceNode also create {@code dev/null-copy}, a character device 1:3 (needs root)
     * @param manyEntries number of files in {@code many/} (enough to need several directory blocks)
     */
    public record Options(long largeFileSize, boolean deviceNode, int manyEntries) {
        public static Options defaults() { return new Options(64L << 20, false, 400); }

        /** The large file is 8 MiB instead of 64 MiB: for fixtures built many times per run. */
        public static Options small() { return new Options(8L << 20, false, 400); }

        public Options withDeviceNode() { return new Options(largeFileSize, true, manyEntries); }

        public Options withLargeFileSize(long size) { return new Options(size, deviceNode, manyEntries); }

        public Options withManyEntries(int n) { return new Options(largeFileSize, deviceNode, n); }
    }

    /** Base of the ordinary mtimes: 2021-03-04T05:06:07Z. */
    private static final long BASE_TIME = 1614834367L;

    /** Special mtimes the tree carries, by relative path. */
    public static final String PRE_EPOCH = "times/pre-epoch";
    public static final String EPOCH_1970 = "times/in-1970";
    public static final String AFTER_2038 = "times/after-2038";
    public static final String YEAR_2100 = "times/in-2100";

    /** Builds the tree under {@code dir} (created if missing; must be empty). */
    public static void create(Path dir, Options o) throws IOException {
        Files.createDirectories(dir);
        try (var s = Files.list(dir)) {
            if (s.findAny().isPresent()) throw new IOException(dir + " is not empty");
        }
        // Plain files of boundary sizes.
        Path files = mkdir(dir, "files");
        write(files.resolve("empty"), 0, 1);
        write(files.resolve("one-byte"), 1, 2);
        write(files.resolve("small.txt"), "hello, guest\n".getBytes(StandardCharsets.US_ASCII));
        write(files.resolve("f4095"), 4095, 3);
        write(files.resolve("f4096"), 4096, 4);
        write(files.resolve("f4097"), 4097, 5);
        write(files.resolve("f65536"), 65536, 6);
        write(files.resolve("f200000"), 200_000, 7);

        Path big = mkdir(dir, "big");
        write(big.resolve("large.bin"), o.largeFileSize(), 8);

        // Sparse files: a hole in the middle, a hole at the end, and only a hole.
        Path sparse = mkdir(dir, "sparse");
        try (FileChannel ch = FileChannel.open(sparse.resolve("hole-middle"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes(1 << 20, 9)), 0);
            ch.write(ByteBuffer.wrap(bytes(1 << 20, 10)), 5L << 20);
        }
        write(sparse.resolve("hole-end"), 100_000, 11);
        // The file grows to 4 MiB without writing: the last 3.9 MiB are a hole at the end.
        try (var raf = new java.io.RandomAccessFile(sparse.resolve("hole-end").toFile(), "rw")) {
            raf.setLength(4L << 20);
        }
        try (var raf = new java.io.RandomAccessFile(sparse.resolve("all-hole").toFile(), "rw")) {
            raf.setLength(3L << 20);
        }

        // Nested directories.
        Path nested = mkdir(dir, "nested");
        Path abc = Files.createDirectories(nested.resolve("a/b/c"));
        write(abc.resolve("leaf.txt"), "deep leaf\n".getBytes(StandardCharsets.US_ASCII));
        write(nested.resolve("a/b/mid.bin"), 3000, 12);
        Files.createDirectories(nested.resolve("empty-dir"));

        // Symlinks: relative, absolute, dangling, directory, and long targets (slow symlinks).
        Path links = mkdir(dir, "links");
        Files.createSymbolicLink(links.resolve("relative"), Path.of("../nested/a/b/c/leaf.txt"));
        Files.createSymbolicLink(links.resolve("absolute"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(links.resolve("dangling"), Path.of("no/such/target"));
        Files.createSymbolicLink(links.resolve("to-dir"), Path.of("../nested/a"));
        Files.createSymbolicLink(links.resolve("target-59"), Path.of("t/" + "x".repeat(57)));
        Files.createSymbolicLink(links.resolve("target-60"), Path.of("t/" + "y".repeat(58)));
        Files.createSymbolicLink(links.resolve("target-300"), Path.of(("long-component-" + "z".repeat(45) + "/").repeat(5)));
        Files.createSymbolicLink(links.resolve("target-1000"), Path.of("w".repeat(200) + "/" + "v".repeat(200) + "/" + "u".repeat(200) + "/" + "t".repeat(200) + "/" + "s".repeat(196)));

        // Hard links across directories.
        Path h1 = mkdir(dir, "hard1");
        Path h2 = mkdir(dir, "hard2");
        write(h1.resolve("original"), 5000, 13);
        Files.createLink(h2.resolve("link-to-original"), h1.resolve("original"));
        Files.createLink(h1.resolve("second-name"), h1.resolve("original"));
        write(h1.resolve("small-linked"), "linked\n".getBytes(StandardCharsets.US_ASCII));
        Files.createLink(h2.resolve("small-linked-too"), h1.resolve("small-linked"));

        // Special files.
        Path special = mkdir(dir, "special");
        Sh.run("mkfifo", special.resolve("fifo").toString());
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(special.resolve("socket")));
        }
        if (o.deviceNode()) Sh.run("mknod", special.resolve("null-copy").toString(), "c", "1", "3");

        // Extended attributes: small (in the inode), large (an xattr block), on a directory.
        Path xattrs = mkdir(dir, "xattrs");
        Path xs = write(xattrs.resolve("small"), "x\n".getBytes(StandardCharsets.US_ASCII));
        setXattr(xs, "user.comment", "a small value".getBytes(StandardCharsets.UTF_8));
        Path xl = write(xattrs.resolve("large"), 1234, 14);
        setXattr(xl, "user.big", bytes(600, 15));
        setXattr(xl, "user.second", "two".getBytes(StandardCharsets.UTF_8));
        setXattr(xl, "user.empty", new byte[0]);
        Path xb = write(xattrs.resolve("binary"), 10, 16);
        setXattr(xb, "user.bin", new byte[] {0, 1, 2, (byte) 0xff, 0, (byte) 0x80});
        setXattr(xattrs, "user.on-directory", "dir value".getBytes(StandardCharsets.UTF_8));

        // Names: unicode, newline, 255 bytes (ASCII and 3-byte UTF-8), shell metacharacters.
        Path names = mkdir(dir, "names");
        write(names.resolve("na\u00efve-\u65e5\u672c\u8a9e-\u00fc\u00df.txt"), "unicode\n".getBytes(StandardCharsets.UTF_8));
        write(names.resolve("new\nline"), "newline\n".getBytes(StandardCharsets.UTF_8));
        write(names.resolve("L".repeat(255)), "255\n".getBytes(StandardCharsets.UTF_8));
        write(names.resolve("\u65e5".repeat(85)), "255 utf-8\n".getBytes(StandardCharsets.UTF_8));
        write(names.resolve(" spaces and 'quotes' \"$x\" *"), 7, 17);
        write(names.resolve("emoji-\ud83d\ude00"), 3, 18);

        // A 40-level deep path.
        Path deep = dir.resolve("deep");
        for (int i = 1; i <= 40; i++) deep = deep.resolve(String.format("level%02d", i));
        Files.createDirectories(deep);
        write(deep.resolve("bottom.txt"), "bottom\n".getBytes(StandardCharsets.US_ASCII));

        // A directory with many entries (several blocks; htree when the fs indexes it).
        Path many = mkdir(dir, "many");
        for (int i = 0; i < o.manyEntries(); i++) {
            write(many.resolve(String.format("entry-%05d-%s", i, "m".repeat(i % 40))), i % 50, 100 + i);
        }

        // Modes and owners (chown clears setuid, so owners first).
        Path perms = mkdir(dir, "perms");
        Path suid = write(perms.resolve("setuid"), 100, 19);
        Path sgid = write(perms.resolve("setgid"), 100, 20);
        Path sticky = mkdir(perms, "sticky-dir");
        Path ro = write(perms.resolve("read-only"), 10, 21);
        Path none = write(perms.resolve("no-permissions"), 10, 22);
        Path exec = write(perms.resolve("executable"), 10, 23);
        Path owned = write(perms.resolve("owned-1234-5678"), 10, 24);
        Path ownedHigh = write(perms.resolve("owned-70000-100000"), 10, 25);
        Path ownedDir = mkdir(perms, "owned-dir-42");
        Files.setAttribute(owned, "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(owned, "unix:gid", 5678, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(ownedHigh, "unix:uid", 70000, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(ownedHigh, "unix:gid", 100000, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(ownedDir, "unix:uid", 42, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(ownedDir, "unix:gid", 43, LinkOption.NOFOLLOW_LINKS);
        Path lnk = perms.resolve("owned-symlink");
        Files.createSymbolicLink(lnk, Path.of("setuid"));
        Sh.run("chown", "-h", "4321:8765", lnk.toString());
        Files.setAttribute(suid, "unix:uid", 1000, LinkOption.NOFOLLOW_LINKS);
        chmod(suid, 04755);
        chmod(sgid, 02755);
        chmod(sticky, 01777);
        chmod(ro, 0444);
        chmod(none, 0);
        chmod(exec, 0711);
        chmod(ownedDir, 0750);

        // Special timestamps (set below, after the ordinary ones).
        Path times = mkdir(dir, "times");
        for (String n : List.of(PRE_EPOCH, EPOCH_1970, AFTER_2038, YEAR_2100)) write(dir.resolve(n), n.getBytes(StandardCharsets.UTF_8));

        setAllTimes(dir);
        setTime(dir.resolve(PRE_EPOCH), Instant.parse("1969-12-31T23:59:58.123456789Z"));
        setTime(dir.resolve(EPOCH_1970), Instant.parse("1970-01-01T00:00:01.000000001Z"));
        setTime(dir.resolve(AFTER_2038), Instant.parse("2038-01-19T03:14:08.5Z"));
        setTime(dir.resolve(YEAR_2100), Instant.parse("2100-06-07T08:09:10.987654321Z"));
        // Directories last, children before parents, so creating entries cannot disturb them.
        setTime(times, Instant.parse("2100-01-01T00:00:00.25Z"));
        setTime(dir, Instant.ofEpochSecond(BASE_TIME, 5));
    }

    /** Deterministic pseudo-random bytes: the same (length, seed) gives the same bytes on every run. */
    public static byte[] bytes(int length, long seed) {
        byte[] b = new byte[length];
        new SplittableRandom(seed * 0x9E3779B97F4A7C15L + length).nextBytes(b);
        return b;
    }

    private static Path mkdir(Path parent, String name) throws IOException {
        return Files.createDirectory(parent.resolve(name));
    }

    private static Path write(Path p, byte[] content) throws IOException {
        return Files.write(p, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Writes {@code size} pseudo-random bytes in 1 MiB chunks. */
    private static Path write(Path p, long size, long seed) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long pos = 0;
            int chunk = 0;
            while (pos < size) {
                int n = (int) Math.min(1 << 20, size - pos);
                ByteBuffer b = ByteBuffer.wrap(bytes(n, seed * 1_000_003L + chunk++));
                while (b.hasRemaining()) pos += ch.write(b, pos);
            }
        }
        return p;
    }

    private static void setXattr(Path p, String name, byte[] value) throws IOException {
        if (!name.startsWith("user.")) throw new IllegalArgumentException(name);
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        v.write(name.substring(5), ByteBuffer.wrap(value));
    }

    private static void chmod(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        int got = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        if (got != mode) Sh.run("chmod", Integer.toOctalString(mode), p.toString());
    }

    /** Every entry gets a distinct mtime and atime with nanoseconds; directories after their children. */
    private static void setAllTimes(Path root) throws IOException {
        List<Path> dirs = new ArrayList<>();
        List<Path> others = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                dirs.add(d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                others.add(f);
                return FileVisitResult.CONTINUE;
            }
        });
        others.sort(null);
        long i = 0;
        for (Path p : others) setTime(p, Instant.ofEpochSecond(BASE_TIME + 3600 * i, 100_000_007L * (i % 9) + i++));
        dirs.sort(null);
        // Deepest first: a child directory's times are set before its parent's.
        for (int k = dirs.size() - 1; k >= 0; k--) {
            setTime(dirs.get(k), Instant.ofEpochSecond(BASE_TIME - 86400L * (k + 1), 123_456_789L + k));
        }
    }

    /** Sets mtime and atime without following symlinks. */
    public static void setTime(Path p, Instant t) throws IOException {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            // Java opens the file to set its times: a fifo would block, a symlink would be followed.
            touch(p, t);
            return;
        }
        FileTime ft = FileTime.from(t);
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(ft, ft, null);
        Instant got = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
        if (!got.equals(t)) {
            // The JDK (25) stores pre-1970 times as 0; touch does it right.
            touch(p, t);
        }
    }

    private static void touch(Path p, Instant t) {
        String when = java.math.BigDecimal.valueOf(t.getEpochSecond()).add(java.math.BigDecimal.valueOf(t.getNano(), 9)).toPlainString();
        Sh.run("touch", "-h", "-d", "@" + when, p.toString());
    }
}
