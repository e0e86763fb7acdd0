package io.vdetach.image.zstd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our RFC 8878 decoder against the reference zstd CLI, on data that exercises every block and literal type. */
class ZstdDecoderTest {
    @TempDir Path dir;

    private static byte[] samples(Random rnd, int kind, int size) {
        byte[] b = new byte[size];
        switch (kind) {
            case 0 -> rnd.nextBytes(b); // incompressible: raw blocks
            case 1 -> { } // zeros: RLE
            case 2 -> { // English-like text: Huffman literals, FSE sequences
                String[] words = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "qcow2", "cluster",
                    "zstd", "frame", "block", "literal", "sequence", "offset", "\n", ", ", ". "};
                StringBuilder sb = new StringBuilder();
                while (sb.length() < size) sb.append(words[rnd.nextInt(words.length)]).append(' ');
                System.arraycopy(sb.toString().getBytes(StandardCharsets.US_ASCII), 0, b, 0, size);
            }
            case 3 -> { // base64 of random bytes: 64 symbols, few matches
                byte[] r = new byte[size];
                rnd.nextBytes(r);
                System.arraycopy(java.util.Base64.getEncoder().encode(r), 0, b, 0, size);
            }
            default -> { // mixture: runs, repeats at many distances, random patches
                int p = 0;
                while (p < size) {
                    int n = Math.min(size - p, 1 + rnd.nextInt(3000));
                    switch (rnd.nextInt(4)) {
                        case 0 -> Arrays.fill(b, p, p + n, (byte) rnd.nextInt(256));
                        case 1 -> {
                            if (p > 0) {
                                int from = rnd.nextInt(p);
                                for (int k = 0; k < n; k++) b[p + k] = b[from + k];
                            }
                        }
                        case 2 -> { for (int k = 0; k < n; k++) b[p + k] = (byte) rnd.nextInt(8); }
                        default -> { for (int k = 0; k < n; k++) b[p + k] = (byte) rnd.nextInt(256); }
                    }
                    p += n;
                }
            }
        }
        return b;
    }

    @Test
    void decodesWhatTheReferenceEncoderWrites() throws Exception {
        Need.tools("zstd");
        Random rnd = new Random(2026);
        String[][] levels = {{"-1"}, {"-19"}, {"--ultra", "-22"}, {"--fast=5"}, {"-3", "--no-check"}, {"-6", "--long=20"}};
        int cases = 0;
        for (int kind = 0; kind < 5; kind++) {
            for (int size : new int[] {1, 65536, 300_000}) {
                byte[] data = samples(rnd, kind, size);
                Path in = dir.resolve("in");
                Files.write(in, data);
                for (String[] level : levels) {
                    Path z = dir.resolve("in.zst");
                    String[] cmd = new String[level.length + 6];
                    cmd[0] = "zstd";
                    cmd[1] = "-q";
                    cmd[2] = "-f";
                    System.arraycopy(level, 0, cmd, 3, level.length);
                    cmd[level.length + 3] = in.toString();
                    cmd[level.length + 4] = "-o";
                    cmd[level.length + 5] = z.toString();
                    Sh.run(cmd);
                    byte[] comp = Files.readAllBytes(z);
                    byte[] out = new byte[size];
                    int n = ZstdDecoder.decompress(comp, comp.length, out);
                    assertThat(n).as("kind %d size %d %s", kind, size, String.join(" ", level)).isEqualTo(size);
                    assertThat(out).as("kind %d size %d %s", kind, size, String.join(" ", level)).isEqualTo(data);
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(90);
    }

    @Test
    void damagedInputGivesDataFormatExceptionOnly() throws Exception {
        Need.tools("zstd");
        Random rnd = new Random(5);
        byte[] data = samples(rnd, 4, 65536);
        Path in = dir.resolve("in");
        Files.write(in, data);
        Sh.run("zstd", "-q", "-f", "-19", in.toString(), "-o", dir.resolve("in.zst").toString());
        byte[] good = Files.readAllBytes(dir.resolve("in.zst"));
        Files.write(in, samples(rnd, 2, 65536));
        Sh.run("zstd", "-q", "-f", "-3", in.toString(), "-o", dir.resolve("t.zst").toString());
        byte[] text = Files.readAllBytes(dir.resolve("t.zst"));
        for (byte[] src : new byte[][] {good, text}) {
            for (int i = 0; i < 3000; i++) {
                byte[] b = src.clone();
                int flips = 1 + rnd.nextInt(4);
                for (int k = 0; k < flips; k++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                int len = rnd.nextInt(10) == 0 ? rnd.nextInt(b.length) : b.length;
                try {
                    ZstdDecoder.decompress(b, len, new byte[65536]);
                } catch (DataFormatException expected) {
                    // named damage
                }
            }
        }
    }
}
