package io.vdetach.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Evidence reports must be byte-stable from run to run. Map.of and Set.of iterate in an order
 * salted per JVM run, so the writer sorts what has no order of its own and keeps what does.
 */
class JsonOrderTest {

    private static final Map<String, Object> UNORDERED = Map.of("sha256", "c", "md5", "a", "sha1", "b",
            "size", 3L, "blake3", "d", "path", "p");

    @Test
    void aMapWithoutOrderIsWrittenSortedByKey() {
        assertThat(Json.render(UNORDERED)).isEqualTo(Json.render(new TreeMap<>(UNORDERED)));
        assertThat(Json.line(new HashMap<>(UNORDERED))).isEqualTo(Json.line(new TreeMap<>(UNORDERED)))
                .startsWith("{\"blake3\":\"d\",\"md5\":\"a\",\"path\":\"p\"");
    }

    @Test
    void aMapWithItsOwnOrderKeepsIt() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1L);
        m.put("a", Map.of("y", 2L, "b", 3L));
        assertThat(Json.line(m)).isEqualTo("{\"z\":1,\"a\":{\"b\":3,\"y\":2}}");
    }

    @Test
    void aSetWithoutOrderIsWrittenSortedAndAListKeepsItsOrder() {
        assertThat(Json.line(Set.of("c", "a", "b"))).isEqualTo("[\"a\",\"b\",\"c\"]");
        assertThat(Json.line(new HashSet<>(List.of("c", "a", "b")))).isEqualTo("[\"a\",\"b\",\"c\"]");
        assertThat(Json.line(List.of("c", "a", "b"))).isEqualTo("[\"c\",\"a\",\"b\"]");
    }

    @Test
    void aStreamedHeadWithoutOrderIsSortedToo() {
        StringBuilder out = new StringBuilder();
        Json.Tail t = Json.tail(out, UNORDERED, "entries");
        t.end();
        Map<String, Object> whole = new TreeMap<>(UNORDERED);
        assertThat(out.toString()).startsWith(Json.render(whole).replaceFirst("\n}$", ""));
    }
}
