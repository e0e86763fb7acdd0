package io.vdetach.apply.offline;

import io.vdetach.testkit.Sh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * An ext4 host made by mke2fs -d (4 KiB blocks), holding {@code vm/disk.img} with deterministic
 * content among thousands of other files (e2fsck -D indexes the big directories as htrees), and a
 * few other host files whose hashes must survive the detach.
 */
record HostFixture(Path dir, Path device, Path imageCopy, TreeMap<String, String> otherSha, String features) {

    /** Source trees for mke2fs -d, made once per JVM and shared (read-only) by every fixture. */
    private static final java.util.Map<String, Path> SOURCES = new java.util.concurrent.ConcurrentHashMap<>();

    private static synchronized Path source(int imageMiB, int filesInVm) throws IOException {
        String key = imageMiB + "/" + filesInVm;
        Path src = SOURCES.get(key);
        if (src != null) return src;
        src = Files.createTempDirectory("vdetach-offline-src");
        Path cleanup = src;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Sh.exec(null, "rm", "-rf", cleanup.toString())));
        Files.createDirectories(src.resolve("vm"));
        Files.createDirectories(src.resolve("other/deeper"));
        Files.createDirectories(src.resolve("big"));
        byte[] img = new byte[imageMiB << 20];
        new SplittableRandom(42).nextBytes(img);
        Files.write(src.resolve("vm/disk.img"), img);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < filesInVm; i++) Files.writeString(src.resolve("vm/neighbour-with-a-long-name-" + i + ".txt"), "n" + i);
        for (int i = 0; i < 2500; i++) Files.writeString(src.resolve("big/entry-number-" + i), "b" + i);
        byte[] a = new byte[300_000];
        r.nextBytes(a);
        Files.write(src.resolve("other/a.bin"), a);
        Files.writeString(src.resolve("other/deeper/b.txt"), "hello host\n");
        SOURCES.put(key, src);
        return src;
    }

    static HostFixture make(Path dir, String mkfsFeatures, int imageMiB, int filesInVm, long deviceMiB) throws IOException {
        Files.createDirectories(dir);
        Path src = source(imageMiB, filesInVm);
        Path copy = src.resolve("vm/disk.img");
        Path dev = dir.resolve("host.ext4");
        Sh.run("truncate", "-s", deviceMiB + "M", dev.toString());
        // "features[/blocks-per-group[/block-size]]": small groups make a 64 MiB host many groups
        String[] fg = mkfsFeatures.split("/");
        String bs = fg.length > 2 ? fg[2] : "4096";
        List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext4", "-b", bs, "-E", "lazy_itable_init=1,nodiscard"));
        if (!fg[0].isEmpty()) cmd.addAll(List.of("-O", fg[0]));
        if (fg.length > 1 && !fg[1].isEmpty()) cmd.addAll(List.of("-g", fg[1]));
        cmd.addAll(List.of("-d", src.toString(), dev.toString()));
        Sh.run(cmd.toArray(String[]::new));
        Sh.Result fsck = Sh.exec(null, "e2fsck", "-fyD", dev.toString());
        if (fsck.exit() > 1) throw new AssertionError("e2fsck -fyD: " + fsck.out() + fsck.err());
        TreeMap<String, String> other = new TreeMap<>();
        other.put("other/a.bin", sha256(Files.readAllBytes(src.resolve("other/a.bin"))));
        other.put("other/deeper/b.txt", sha256("hello host\n".getBytes()));
        String feats = Sh.run("dumpe2fs", "-h", dev.toString()).lines().filter(l -> l.startsWith("Filesystem features:"))
                .findFirst().orElse("");
        return new HostFixture(dir, dev, copy, other, feats);
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path p) throws IOException {
        return Sh.run("sha256sum", p.toString()).split(" ")[0];
    }

    /** Physical block ranges {start, end inclusive} of a file, from debugfs "stat". */
    static List<long[]> extents(Path dev, String path) {
        String out = Sh.run("debugfs", "-R", "stat " + path, dev.toString());
        List<long[]> r = new ArrayList<>();
        int i = out.indexOf("EXTENTS:");
        if (i < 0) return r;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(([0-9-]+)\\):(\\d+)(?:-(\\d+))?").matcher(out.substring(i));
        while (m.find()) {
            long s = Long.parseLong(m.group(2));
            long e = m.group(3) == null ? s : Long.parseLong(m.group(3));
            r.add(new long[] {s, e});
        }
        return r;
    }
}
