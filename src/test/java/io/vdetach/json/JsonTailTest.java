package io.vdetach.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A document written with its last list streamed ({@link Json#tail}) is byte for byte the
 * document {@link Json#render} makes of the same map holding the whole list: {@code ls --json}
 * streams its entries and its output must not change.
 */
class JsonTailTest {

    private static String streamed(Map<String, Object> head, String key, List<Object> list) {
        StringBuilder out = new StringBuilder();
        Json.Tail t = Json.tail(out, head, key);
        for (Object o : list) t.add(o);
        t.end();
        return out.toString();
    }

    private static String whole(Map<String, Object> head, String key, List<Object> list) {
        Map<String, Object> m = new LinkedHashMap<>(head);
        m.put(key, list);
        return Json.render(m);
    }

    @Test
    void streamedEqualsRendered() {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("path", "p1/dir/\"quoted\"\n\u0001 é");
        entry.put("size", 12L);
        entry.put("notes", List.of("a", "b"));
        entry.put("empty", List.of());
        entry.put("nothing", Map.of());
        entry.put("null", null);
        entry.put("flag", true);
        entry.put("ratio", 0.25);
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("inner", List.of(Map.of("x", 1), List.of(1, 2)));
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("image", Map.of("path", "/x.img"));
        head.put("chain", List.of());
        head.put("warnings", List.of("w1"));
        head.put("volumes", List.of(nested, Map.of()));
        List<List<Object>> lists = List.of(List.of(), List.of(entry), List.of(entry, "s", 3, List.of(), nested),
                new ArrayList<>(java.util.Collections.nCopies(1000, entry)));
        for (Map<String, Object> h : List.of(head, Map.<String, Object>of())) {
            for (List<Object> list : lists) {
                assertThat(streamed(h, "entries", list)).isEqualTo(whole(h, "entries", list));
            }
        }
    }
}
