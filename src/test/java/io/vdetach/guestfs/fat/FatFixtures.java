package io.vdetach.guestfs.fat;

import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Random;

/** The deterministic source tree copied into every FAT fixture, and the mtools steps that build one. */
final class FatFixtures {
    private FatFixtures() {}

    /**
     * Nested directories, long names, unicode names, the three spellings of readme.txt (each in a
     * directory of its own: FAT names are case-insensitive), empty files, sizes around cluster
     * boundaries and one file of {@code bigSize} bytes.
     */
    static void sourceTree(Path src, int bigSize) throws IOException {
        Random rnd = new Random(42);
        Files.createDirectories(src.resolve("nested/level2/level3"));
        write(src.resolve("nested/level2/level3/deep.txt"), "deep\n".getBytes(StandardCharsets.UTF_8));
        for (String[] d : new String[][] {{"lower", "readme.txt"}, {"upper", "README.TXT"}, {"mixed", "Readme.txt"}}) {
            Files.createDirectories(src.resolve(d[0]));
            write(src.resolve(d[0]).resolve(d[1]), (d[1] + "\n").getBytes(StandardCharsets.UTF_8));
        }
        write(src.resolve("noext"), "no extension".getBytes(StandardCharsets.UTF_8));
        write(src.resolve("MAKEFILE"), "all:\n".getBytes(StandardCharsets.UTF_8));
        write(src.resolve("lowbase.TXT"), "x".getBytes(StandardCharsets.UTF_8));
        write(src.resolve("UPBASE.txt"), "y".getBytes(StandardCharsets.UTF_8));
        write(src.resolve("empty"), new byte[0]);
        Files.createDirectories(src.resolve("empty dir"));
        write(src.resolve("A long file name with spaces and more than thirteen characters.data"), bytes(rnd, 5000));
        Files.createDirectories(src.resolve("Ünïcödé dir/日本語"));
        write(src.resolve("Ünïcödé dir/日本語/ファイル.txt"), "日本語\n".getBytes(StandardCharsets.UTF_8));
        // mtools 4.0.32 stores only the BMP (an emoji comes out as nothing), so none here.
        write(src.resolve("Ünïcödé dir/Ελληνικά ñ.txt"), "smile".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(src.resolve("sizes"));
        for (int n : new int[] {1, 511, 512, 513, 4095, 4096, 4097, 65536, 100_001}) {
            write(src.resolve("sizes/s" + n), bytes(rnd, n));
        }
        Files.createDirectories(src.resolve("many"));
        for (int i = 0; i < 150; i++) write(src.resolve("many/entry number " + i + ".txt"), bytes(rnd, i * 7));
        write(src.resolve("big.bin"), bytes(rnd, bigSize));
        // Deterministic times, some on odd seconds (FAT keeps 2-second units).
        long t = Instant.parse("2021-06-15T10:20:31Z").getEpochSecond();
        try (var walk = Files.walk(src)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(t)));
                t += 86_400 + 3_601;
            }
        }
    }

    /** mkfs.vfat on a new image of {@code kib} KiB, then mcopy -s -m of the source tree's contents. */
    static void build(Path img, int kib, Path src, String... mkfsArgs) {
        java.util.List<String> cmd = Sh.list("mkfs.vfat");
        cmd.addAll(java.util.List.of(mkfsArgs));
        cmd.addAll(java.util.List.of("-C", img.toString(), Integer.toString(kib)));
        Sh.run(cmd.toArray(String[]::new));
        mcopyIn(img, src);
    }

    static void mcopyIn(Path img, Path src) {
        Sh.bash("cd " + q(src.toString()) + " && for f in * ; do TZ=UTC MTOOLS_NO_VFAT=0 mcopy -s -m -i "
                + q(img.toString()) + " \"$f\" ::/ ; done");
    }

    /** The oracle: mtools reading the image back, in UTC. */
    static void mcopyOut(Path img, Path out) throws IOException {
        Files.createDirectories(out);
        Sh.bash("TZ=UTC mcopy -s -m -n -i " + q(img.toString()) + " '::*' " + q(out.toString()));
    }

    static String q(String s) { return "'" + s.replace("'", "'\\''") + "'"; }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static void write(Path p, byte[] b) throws IOException { Files.write(p, b); }
}
