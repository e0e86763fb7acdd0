package io.vdetach.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SequencedCollection;
import java.util.SequencedMap;

/**
 * Renders maps, lists, strings, numbers and booleans as JSON: the one writer behind every --json
 * report and every JSON Lines file vdetach writes. Strings are escaped completely (every control
 * character), so guest names cannot break a line or a document. Output is byte-stable: a map or
 * a collection with an order of its own (a LinkedHashMap, a TreeMap, a List) keeps it, and one
 * without (Map.of, HashMap, Set.of), whose iteration order changes from JVM run to JVM run, is
 * written sorted by key (by element text), so two runs over the same image give the same bytes.
 */
public final class Json {
    private Json() {}

    /** Indented, for reports people read. */
    public static String render(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 0);
        return b.toString();
    }

    /** On one line, for JSON Lines (a manifest line, an offline report). */
    public static String line(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, -1);
        return b.toString();
    }

    /**
     * Starts writing to {@code out} the document {@link #render} makes of {@code head} with one more
     * member, {@code key}, last, whose value is a list given one element at a time ({@link
     * Tail#add}) and never held whole: a listing of millions of entries in bounded memory. The
     * output is byte for byte {@code render} of that map (without a final newline).
     */
    public static Tail tail(Appendable out, Map<String, ?> head, String key) {
        StringBuilder b = new StringBuilder("{\n");
        for (var e : members(head)) {
            if (e.getKey().equals(key)) throw new IllegalArgumentException(key + " is the tail's key");
            member(b, e.getKey(), e.getValue(), 0);
            b.append(",\n");
        }
        pad(b, 1);
        string(b, key);
        b.append(": ");
        Tail t = new Tail(out);
        t.append(b);
        return t;
    }

    /** The list that ends a document started by {@link #tail}. */
    public static final class Tail {
        private final Appendable out;
        private long count;

        private Tail(Appendable out) {
            this.out = out;
        }

        /** The list's next element. */
        public void add(Object element) {
            StringBuilder b = new StringBuilder(count == 0 ? "[\n" : ",\n");
            pad(b, 2);
            write(b, element, 2);
            append(b);
            count++;
        }

        /** Ends the list and the document. */
        public void end() {
            append(count == 0 ? "[]\n}" : "\n  ]\n}");
        }

        private void append(CharSequence s) {
            try {
                out.append(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One member of a map written at {@code indent}: its key and its value. */
    private static void member(StringBuilder b, String key, Object value, int indent) {
        pad(b, indent + 1);
        string(b, key);
        b.append(indent < 0 ? ":" : ": ");
        write(b, value, deeper(indent));
    }

    private static void write(StringBuilder b, Object v, int indent) {
        switch (v) {
            case null -> b.append("null");
            case String s -> string(b, s);
            case Boolean bool -> b.append(bool);
            case Double d -> b.append(d.isNaN() || d.isInfinite() ? "null" : String.format(java.util.Locale.ROOT, "%.3f", d));
            case Number n -> b.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    b.append("{}");
                    return;
                }
                b.append('{');
                newline(b, indent);
                int i = 0;
                for (var e : members(m)) {
                    member(b, String.valueOf(e.getKey()), e.getValue(), indent);
                    if (++i < m.size()) b.append(',');
                    newline(b, indent);
                }
                pad(b, indent);
                b.append('}');
            }
            case Collection<?> c -> {
                if (c.isEmpty()) {
                    b.append("[]");
                    return;
                }
                b.append('[');
                newline(b, indent);
                int i = 0;
                for (Object o : elements(c)) {
                    pad(b, indent + 1);
                    write(b, o, deeper(indent));
                    if (++i < c.size()) b.append(',');
                    newline(b, indent);
                }
                pad(b, indent);
                b.append(']');
            }
            default -> string(b, v.toString());
        }
    }

    private static <K, V> Iterable<Map.Entry<K, V>> members(Map<K, V> m) {
        if (m instanceof SequencedMap<K, V>) return m.entrySet();
        return m.entrySet().stream().sorted(Comparator.comparing(e -> String.valueOf(e.getKey()))).toList();
    }

    private static Iterable<?> elements(Collection<?> c) {
        if (c instanceof SequencedCollection<?>) return c;
        List<Object> sorted = new ArrayList<>(c);
        sorted.sort(Comparator.comparing(String::valueOf));
        return sorted;
    }

    /** Indentation of the next level; -1 (one line) stays -1. */
    private static int deeper(int indent) {
        return indent < 0 ? -1 : indent + 1;
    }

    private static void newline(StringBuilder b, int indent) {
        if (indent >= 0) b.append('\n');
    }

    private static void pad(StringBuilder b, int indent) {
        if (indent >= 0) b.append("  ".repeat(indent));
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
