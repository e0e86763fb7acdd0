package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
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
 * 24,000 FAT directory entries with one name (mtools wrote F0000001.TXT … F0024000.TXT, their 8.3
 * names were then patched to SAME.TXT): each gets the next free "SAME (n).TXT" in linear time
 * (probing from "(1)" for each ran past 60 s with 3,896 files done), and verify finds every one
 * where extraction put it.
 */
@Timeout(300)
class SameNamesTest {
    @TempDir Path dir;
    static final int N = 24_000;

    @Test
    void twentyFourThousandEqualNamesAreRenamedInLinearTime() throws Exception {
        Need.tools("mkfs.fat", "mcopy", "mmd");
        Path img = dir.resolve("fat32.img");
        Sh.run("truncate", "-s", "64M", img.toString());
        Sh.run("mkfs.fat", "-F", "32", img.toString());
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int i = 1; i <= N; i++) Files.writeString(src.resolve(String.format("F%07d.TXT", i)), Integer.toString(i));
        Sh.run("mmd", "-i", img.toString(), "::/D");
        Sh.bash("cd " + src + " && mcopy -i " + img + " * ::/D/");
        byte[] b = Files.readAllBytes(img);
        int patched = 0;
        for (int at = 0; at + 11 <= b.length; at += 32) {
            if (b[at] == 'F' && b[at + 8] == 'T' && b[at + 9] == 'X' && b[at + 10] == 'T' && isDigits(b, at + 1, 7)) {
                System.arraycopy("SAME    TXT".getBytes(StandardCharsets.US_ASCII), 0, b, at, 11);
                patched++;
            }
        }
        assertThat(patched).isEqualTo(N);
        Files.write(img, b);

        Path dest = dir.resolve("out");
        Cli.Run r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Cli.run("extract", img.toString(), dest.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        Set<String> names = new HashSet<>();
        Set<String> contents = new HashSet<>();
        try (Stream<Path> s = Files.list(dest.resolve("disk/D"))) {
            s.forEach(p -> {
                names.add(p.getFileName().toString());
                try {
                    contents.add(Files.readString(p));
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
        }
        assertThat(names).hasSize(N).contains("SAME.TXT", "SAME (1).TXT", "SAME (" + (N - 1) + ").TXT");
        assertThat(contents).as("every file once, none overwritten").hasSize(N);
        Cli.Run v = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Cli.run("verify", img.toString(), dest.toString()));
        assertThat(v.exit()).as(v.out() + v.err()).isZero();
    }

    private static boolean isDigits(byte[] b, int at, int n) {
        for (int i = 0; i < n; i++) if (b[at + i] < '0' || b[at + i] > '9') return false;
        return true;
    }
}
