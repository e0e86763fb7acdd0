package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 24,000 FAT directory entries with one name, SAME.TXT (mkfs.fat made the volume, mcopy stored the
 * directory's 32-byte entries as a file, whose root entry was then made a directory's: mtools
 * itself takes minutes to add 24,000 names, probing its directory for each): each gets the next free "SAME (n).TXT" in linear time
 * (probing from "(1)" for each ran past 60 s with 3,896 files done), and verify finds every one
 * where extraction put it.
 */
@Timeout(300)
class SameNamesTest {
    @TempDir Path dir;
    static final int N = 24_000;

    @Test
    void twentyFourThousandEqualNamesAreRenamedInLinearTime() throws Exception {
        Need.tools("mkfs.fat", "mcopy");
        Path img = dir.resolve("fat32.img");
        Sh.run("truncate", "-s", "64M", img.toString());
        Sh.run("mkfs.fat", "-F", "32", img.toString());
        // The directory's content as a file: ".", "..", then N entries "SAME.TXT" (empty files, archive bit).
        ByteBuffer d = ByteBuffer.allocate((N + 2) * 32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < N + 2; i++) {
            String name = i == 0 ? ".          " : i == 1 ? "..         " : "SAME    TXT";
            d.position(i * 32);
            d.put(name.getBytes(StandardCharsets.US_ASCII)).put((byte) (i < 2 ? 0x10 : 0x20));
        }
        Path content = dir.resolve("dir.bin");
        Files.write(content, d.array());
        Sh.run("mcopy", "-i", img.toString(), content.toString(), "::/D.BIN");
        // mcopy stored it as a file in clusters of its own: its root entry becomes a directory's.
        byte[] b = Files.readAllBytes(img);
        int entry = -1;
        for (int at = 0; at + 32 <= b.length && entry < 0; at += 32) {
            if (new String(b, at, 11, StandardCharsets.US_ASCII).equals("D       BIN")) entry = at;
        }
        assertThat(entry).isPositive();
        ByteBuffer e = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int cluster = (e.getShort(entry + 20) & 0xffff) << 16 | (e.getShort(entry + 26) & 0xffff);
        System.arraycopy("D          ".getBytes(StandardCharsets.US_ASCII), 0, b, entry, 11);
        b[entry + 11] = 0x10;
        e.putInt(entry + 28, 0);
        int data = indexOf(b, d.array(), 0, 64);
        assertThat(data).as("the directory's clusters").isPositive();
        e.putShort(data + 20, (short) (cluster >>> 16)).putShort(data + 26, (short) cluster); // "." names the directory itself
        Files.write(img, b);

        Path dest = dir.resolve("out");
        Cli.Run r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run("extract", img.toString(), dest.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        Set<String> names = new HashSet<>();
        try (Stream<Path> s = Files.list(dest.resolve("disk/D"))) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        assertThat(names).hasSize(N).contains("SAME.TXT", "SAME (1).TXT", "SAME (" + (N - 1) + ").TXT");
        Cli.Run v = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run("verify", img.toString(), dest.toString()));
        assertThat(v.exit()).as(v.out() + v.err()).isZero();
    }

    /** Where the first {@code n} bytes of {@code want} lie in {@code b} at a 512-byte boundary, or -1. */
    private static int indexOf(byte[] b, byte[] want, int from, int n) {
        for (int at = from; at + n <= b.length; at += 512) {
            if (java.util.Arrays.equals(b, at, at + n, want, 0, n)) return at;
        }
        return -1;
    }
}
