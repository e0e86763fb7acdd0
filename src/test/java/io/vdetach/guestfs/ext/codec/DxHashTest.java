package io.vdetach.guestfs.ext.codec;

import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Our htree hashes against debugfs' dx_hash, for every version, with and without a seed. */
class DxHashTest {

    @Test
    void matchesDebugfs(@TempDir Path dir) {
        Need.tools("mke2fs", "debugfs");
        Path fs = dir.resolve("fs");
        Sh.run("truncate", "-s", "8M", fs.toString());
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", fs.toString());
        String uuid = "01234567-89ab-cdef-0123-456789abcdef";
        byte[] u = HexFormat.of().parseHex(uuid.replace("-", ""));
        ByteBuffer ub = ByteBuffer.wrap(u).order(ByteOrder.LITTLE_ENDIAN);
        int[] seed = {ub.getInt(0), ub.getInt(4), ub.getInt(8), ub.getInt(12)};
        String[] names = {"a", "hello", "neighbour-with-a-long-name-1234.txt",
                "a-rather-long-file-name-exceeding-thirty-two-bytes-and-even-sixty-four-bytes-of-length.txt", "x".repeat(255)};
        String[][] versions = {{"legacy", "0"}, {"half_md4", "1"}, {"tea", "2"}};
        Pattern p = Pattern.compile("is 0x([0-9a-f]+)");
        for (String n : names) {
            for (String[] v : versions) {
                for (boolean seeded : new boolean[] {false, true}) {
                    String cmd = "dx_hash -h " + v[0] + (seeded ? " -s " + uuid : "") + " " + n;
                    Matcher m = p.matcher(Sh.run("debugfs", "-R", cmd, fs.toString()));
                    assertThat(m.find()).as(cmd).isTrue();
                    long expect = Long.parseLong(m.group(1), 16);
                    long got = DxHash.hash(n.getBytes(StandardCharsets.UTF_8), Integer.parseInt(v[1]), seeded ? seed : new int[4]);
                    assertThat(Long.toHexString(got)).as(cmd).isEqualTo(Long.toHexString(expect));
                }
            }
        }
    }
}
