package io.vdetach.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A manifest (JSON Lines) read by Python's json module, the oracle for "every line is one whole
 * JSON object": a line that is not fails the test. Keys keep their order; strings are exact (names
 * with any character), integers exact (nanosecond times do not fit a double).
 */
public final class ManifestFile {
    private ManifestFile() {}

    /** One line's keys: a string, an exact integer, null, a boolean, or a list of strings. */
    public record Line(Map<String, Object> fields) {
        public String type() { return (String) fields.get("type"); }

        public boolean isEntry() { return !"header".equals(type()) && !"summary".equals(type()); }

        public boolean has(String key) { return fields.containsKey(key); }

        public String str(String key) { return (String) fields.get(key); }

        public Long num(String key) {
            Object v = fields.get(key);
            return v == null ? null : ((BigInteger) v).longValueExact();
        }

        @SuppressWarnings("unchecked")
        public List<String> list(String key) {
            Object v = fields.get(key);
            return v == null ? null : (List<String>) v;
        }

        /** The exact bytes of a name key: its {@code _b64} twin where present, else the text's UTF-8. */
        public byte[] bytes(String key) {
            if (fields.containsKey(key + "_b64")) return Base64.getDecoder().decode(str(key + "_b64"));
            String s = str(key);
            return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
        }

        /** The guest path below the volume, exactly (guest_name_b64, or guest_path without its volume). */
        public byte[] guestName() {
            if (has("guest_name_b64")) return Base64.getDecoder().decode(str("guest_name_b64"));
            String g = str("guest_path");
            int slash = g.indexOf('/');
            return slash < 0 ? new byte[0] : g.substring(slash + 1).getBytes(StandardCharsets.UTF_8);
        }

        /** streams: each "name_b64:size:sha256:path_b64" as written by the reader script. */
        public List<String[]> streams() {
            List<String[]> out = new ArrayList<>();
            List<String> l = list("streams");
            if (l != null) for (String s : l) out.add(s.split(":", -1));
            return out;
        }
    }

    private static final String SCRIPT = """
            import json, sys, base64
            def b(s): return base64.b64encode(s.encode('utf-8', 'surrogatepass')).decode()
            data = sys.stdin.buffer.read()
            if data and not data.endswith(b'\\n'): raise SystemExit('the last line is not complete')
            for line in data.split(b'\\n')[:-1]:
                o = json.loads(line)
                if not isinstance(o, dict): raise SystemExit('not an object: %r' % line)
                out = []
                for k, v in o.items():
                    if k == 'streams':
                        v = ['%s:%d:%s:%s' % (b(s['name']), s['size'], s.get('sha256', ''),
                             b(s['path']) if s.get('path') is not None else '') for s in v]
                    if v is None: t, val = 'z', ''
                    elif isinstance(v, bool): t, val = 'b', str(v).lower()
                    elif isinstance(v, int): t, val = 'n', str(v)
                    elif isinstance(v, float): t, val = 'f', repr(v)
                    elif isinstance(v, str): t, val = 's', b(v)
                    elif isinstance(v, list): t, val = 'l', b('\\n'.join(x if isinstance(x, str) else json.dumps(x) for x in v))
                    else: t, val = 'o', b(json.dumps(v))
                    out.append(k + '\\t' + t + '\\t' + val)
                print('\\t'.join(out))
            """;

    public static List<Line> read(Path manifest) throws IOException {
        Need.tools("python3");
        Path script = Files.createTempFile("manifest", ".py");
        Path out = Files.createTempFile("manifest", ".tsv");
        try {
            Files.writeString(script, SCRIPT);
            Sh.bash("python3 " + script + " < '" + manifest + "' > " + out);
            List<Line> lines = new ArrayList<>();
            for (String row : Files.readAllLines(out, StandardCharsets.US_ASCII)) {
                String[] f = row.split("\t", -1);
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i + 2 < f.length; i += 3) {
                    String text = f[i + 1].equals("s") || f[i + 1].equals("l") || f[i + 1].equals("o")
                            ? new String(Base64.getDecoder().decode(f[i + 2]), StandardCharsets.UTF_8) : f[i + 2];
                    m.put(f[i], switch (f[i + 1]) {
                        case "z" -> null;
                        case "n" -> new BigInteger(text);
                        case "b" -> Boolean.valueOf(text);
                        case "l" -> text.isEmpty() ? List.of() : List.of(text.split("\n", -1));
                        default -> text;
                    });
                }
                lines.add(new Line(m));
            }
            return lines;
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(out);
        }
    }

    /** Reads a whole manifest: a header first, a summary last, entries between. */
    public static List<Line> entries(Path manifest) throws IOException {
        List<Line> all = read(manifest);
        assertThat(all).isNotEmpty();
        assertThat(all.getFirst().type()).isEqualTo("header");
        assertThat(all.getLast().type()).isEqualTo("summary");
        return all.subList(1, all.size() - 1);
    }

    /** Asserts {@code text} is one JSON document (Python's json module parses it). */
    public static void assertJson(String text) throws IOException {
        Need.tools("python3");
        Path f = Files.createTempFile("doc", ".json");
        try {
            Files.writeString(f, text);
            Sh.bash("python3 -c 'import json, sys; json.load(sys.stdin)' < " + f);
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
