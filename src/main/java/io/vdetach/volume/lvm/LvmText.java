package io.vdetach.volume.lvm;

import io.vdetach.error.CorruptImageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LVM2 text metadata format (lib/config): {@code key = value} lines, sections
 * {@code name { ... }}, arrays {@code [a, b]}, double-quoted strings with backslash escapes,
 * integers, {@code #} comments. Values become String, Long, List or Map (a section).
 * A recursive-descent parser, bounded in depth and in items.
 */
final class LvmText {
    /** Nesting in real metadata is 5 (vg, logical_volumes, lv, segment, none deeper); 32 is plenty. */
    private static final int MAX_DEPTH = 32;
    /** Items (keys plus array elements): one per character is the most a text can have anyway. */
    private final int maxItems;
    private final String s;
    private final long at;
    private int pos;
    private int items;

    private LvmText(String s, long at) {
        this.s = s;
        this.at = at;
        this.maxItems = s.length();
    }

    static Map<String, Object> parse(String text, long at) {
        LvmText p = new LvmText(text, at);
        Map<String, Object> top = p.section(0, true);
        return top;
    }

    private Map<String, Object> section(int depth, boolean top) {
        if (depth > MAX_DEPTH) throw bad("sections nested deeper than " + MAX_DEPTH);
        Map<String, Object> out = new LinkedHashMap<>();
        while (true) {
            skip();
            if (pos >= s.length()) {
                if (top) return out;
                throw bad("section not closed");
            }
            char c = s.charAt(pos);
            if (c == '}') {
                if (top) throw bad("unexpected '}'");
                pos++;
                return out;
            }
            String key = identifier();
            skip();
            if (pos >= s.length()) throw bad("text ends after " + key);
            char d = s.charAt(pos);
            if (d == '{') {
                pos++;
                out.put(key, section(depth + 1, false));
            } else if (d == '=') {
                pos++;
                out.put(key, value(depth + 1));
            } else {
                throw bad("expected '=' or '{' after " + key);
            }
            if (++items > maxItems) throw bad("too many items");
        }
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw bad("values nested deeper than " + MAX_DEPTH);
        skip();
        if (pos >= s.length()) throw bad("missing value");
        char c = s.charAt(pos);
        if (c == '"') return string();
        if (c == '[') {
            pos++;
            List<Object> list = new ArrayList<>();
            while (true) {
                skip();
                if (pos >= s.length()) throw bad("array not closed");
                if (s.charAt(pos) == ']') {
                    pos++;
                    return list;
                }
                list.add(value(depth + 1));
                if (++items > maxItems) throw bad("too many items");
                skip();
                if (pos < s.length() && s.charAt(pos) == ',') pos++;
            }
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            int start = pos++;
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) pos++;
            String num = s.substring(start, pos);
            try {
                return num.contains(".") ? (Object) num : (Object) Long.parseLong(num);
            } catch (NumberFormatException e) {
                throw bad("number " + num);
            }
        }
        throw bad("unexpected '" + c + "'");
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        pos++;
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == '"') return b.toString();
            if (c == '\\' && pos < s.length()) c = s.charAt(pos++);
            b.append(c);
        }
        throw bad("string not closed");
    }

    private String identifier() {
        int start = pos;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '+' || c == '-') pos++;
            else break;
        }
        if (pos == start) throw bad("expected a name, found '" + s.charAt(pos) + "'");
        return s.substring(start, pos);
    }

    private void skip() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '#') {
                while (pos < s.length() && s.charAt(pos) != '\n') pos++;
            } else if (Character.isWhitespace(c) || c == 0) {
                pos++;
            } else {
                return;
            }
        }
    }

    private CorruptImageException bad(String detail) {
        return new CorruptImageException("lvm", "metadata text", at, detail + " (character " + pos + ")");
    }
}
