package io.vdetach.plan;

import java.util.List;
import java.util.regex.Pattern;

/**
 * --include/--exclude patterns over guest paths such as "p1/etc/hosts": '*' and '?' stay
 * within one component, '**' crosses components. An entry matches when it or one of its
 * ancestors matches, so "p1/etc" selects the whole directory.
 */
public final class Glob {
    private final List<Pattern> patterns;

    public Glob(List<String> globs) {
        this.patterns = globs.stream().map(Glob::compile).toList();
    }

    public boolean isEmpty() { return patterns.isEmpty(); }

    public boolean matchesSelfOrAncestor(String path) {
        if (patterns.isEmpty()) return false;
        String p = path;
        while (true) {
            for (Pattern pat : patterns) if (pat.matcher(p).matches()) return true;
            int slash = p.lastIndexOf('/');
            if (slash < 0) return false;
            p = p.substring(0, slash);
        }
    }

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        String g = glob.startsWith("/") ? glob.substring(1) : glob;
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '*' && i + 1 < g.length() && g.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
