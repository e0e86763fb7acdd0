package io.vdetach.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bodyfile lines with hostile names, read by Sleuth Kit's mactime: no warning, one line per entry and time. */
class BodyfileTest {
    @TempDir Path dir;

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void escapesEverythingThatWouldAddAFieldOrALine() {
        Timestamp t = new Timestamp(Instant.ofEpochSecond(1_700_000_000L, 123_456_789), 9);
        Bodyfile.Line l = new Bodyfile.Line("0", List.of(b("p1"), b("a|b\\c\nd:e/f"), new byte[] {'x', (byte) 0xff}),
                null, "12", "-rw-r--r--", 0, 0, 5, t, t, t, null);
        assertThat(l.render()).isEqualTo("0|p1/a\\x7cb\\x5cc\\x0ad\\x3ae\\x2ff/x\\xff|12|-rw-r--r--|0|0|5"
                + "|1700000000.123456789|1700000000.123456789|1700000000.123456789|0");
        assertThat(new Timestamp(Instant.ofEpochSecond(-2, 500_000_000), 7).bodyfileSeconds()).isEqualTo("-1.5000000");
        assertThat(new Timestamp(Instant.ofEpochSecond(-1, 500_000_000), 2).bodyfileSeconds()).isEqualTo("-0.50");
        assertThat(new Timestamp(Instant.ofEpochSecond(10, 20_000_000), 2).rfc3339()).isEqualTo("1970-01-01T00:00:10.02Z");
        assertThat(new Timestamp(Instant.ofEpochSecond(10, 0), 0).rfc3339()).isEqualTo("1970-01-01T00:00:10Z");
        assertThat(Bodyfile.modeString('-', 04755)).isEqualTo("-rwsr-xr-x");
        assertThat(Bodyfile.modeString('d', 01777)).isEqualTo("drwxrwxrwt");
        assertThat(Bodyfile.modeString('-', 02640)).isEqualTo("-rw-r-S---");
    }

    @Test
    void mactimeReadsItWithoutAWarning() throws Exception {
        Need.tools("mactime");
        List<String> lines = new ArrayList<>();
        int expected = 0;
        for (int i = 0; i < 20; i++) {
            Timestamp a = new Timestamp(Instant.ofEpochSecond(1_600_000_000L + i * 100L, 5), 9);
            Timestamp m = new Timestamp(Instant.ofEpochSecond(1_600_000_001L + i * 100L, 0), 9);
            Timestamp c = new Timestamp(Instant.ofEpochSecond(1_600_000_002L + i * 100L, 7), 7);
            Timestamp cr = new Timestamp(Instant.ofEpochSecond(1_600_000_003L + i * 100L, 990_000_000), 2);
            byte[] name = b("f" + i + "|pipe\\back\ttab\nnl");
            lines.add(new Bodyfile.Line("0", List.of(b("p1"), name), i % 3 == 0 ? b("../t|x") : null, i + "-1",
                    Bodyfile.modeString('-', 0644), 1000, 1000, i, a, m, c, cr).render());
            expected += 4; // four distinct seconds per entry
        }
        Path body = dir.resolve("body");
        try (LineWriter w = LineWriter.create(body)) {
            for (String l : lines) w.line(l);
        }
        Sh.Result r = Sh.exec(null, "mactime", "-b", body.toString(), "-d", "-y");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> out = r.out().lines().skip(1).toList(); // the header line
        assertThat(out).hasSize(expected);
        assertThat(out).allMatch(l -> l.split(",", -1).length == 8);
        assertThat(Files.readString(body)).hasLineCount(20);
    }
}
