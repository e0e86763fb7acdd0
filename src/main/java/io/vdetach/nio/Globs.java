package io.vdetach.nio;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@link java.nio.file.FileSystem#getPathMatcher}'s glob syntax as a regular expression: {@code *}
 * and {@code ?} within a name, {@code **} across names, {@code [...]} with {@code !} for negation,
 * {@code {a,b}} groups (not nested), {@code \} escapes.
 */
final class Globs {
    private Globs() {}

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder("^");
        boolean inGroup = false;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (++i == glob.length()) throw new PatternSyntaxException("no character to escape", glob, i - 1);
                    re.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                }
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        re.append(".*");
                        i++;
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '[' -> i = bracket(glob, i, re);
                case '{' -> {
                    if (inGroup) throw new PatternSyntaxException("nested groups are not supported", glob, i);
                    re.append("(?:(?:");
                    inGroup = true;
                }
                case '}' -> {
                    if (inGroup) {
                        re.append("))");
                        inGroup = false;
                    } else {
                        re.append("\\}");
                    }
                }
                case ',' -> re.append(inGroup ? ")|(?:" : ",");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (inGroup) throw new PatternSyntaxException("missing '}'", glob, glob.length() - 1);
        return Pattern.compile(re.append('$').toString());
    }

    /** A bracket expression from {@code [} at {@code start}; returns the index of its {@code ]}. */
    private static int bracket(String glob, int start, StringBuilder re) {
        int i = start + 1;
        re.append("[[^/]&&[");
        if (i < glob.length() && glob.charAt(i) == '!') {
            re.append('^');
            i++;
        }
        boolean first = true;
        for (; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == ']' && !first) {
                re.append("]]");
                return i;
            }
            if (c == '-' && !first && i + 1 < glob.length() && glob.charAt(i + 1) != ']') re.append('-');
            else if (c == '\\' || c == '[' || c == '&' || c == '^' || c == '-') re.append('\\').append(c);
            else re.append(c);
            first = false;
        }
        throw new PatternSyntaxException("missing ']'", glob, start);
    }
}
