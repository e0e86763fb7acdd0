package io.vdetach.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The one tree comparator: every entry equal, with a readable list of differences. */
public final class TreeAssert {
    private TreeAssert() {}

    public static void assertSameTree(Map<String, EntryFacts> expected, Map<String, EntryFacts> actual) {
        List<String> diffs = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(expected.keySet());
        all.addAll(actual.keySet());
        for (String p : all) {
            EntryFacts e = expected.get(p);
            EntryFacts a = actual.get(p);
            if (e == null) diffs.add("unexpected: " + p + " " + a);
            else if (a == null) diffs.add("missing: " + p + " " + e);
            else if (!e.equals(a)) diffs.add("differs: " + p + "\n   expected " + e + "\n   actual   " + a);
            if (diffs.size() > 40) break;
        }
        if (!diffs.isEmpty()) {
            throw new AssertionError(diffs.size() + " difference(s) in " + all.size() + " entries:\n" + String.join("\n", diffs));
        }
    }

    /** Applies {@link EntryFacts#without} to every entry. */
    public static TreeMap<String, EntryFacts> ignoring(Map<String, EntryFacts> tree, boolean owners, boolean xattrs,
                                                       boolean mtime, boolean mode) {
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        tree.forEach((k, v) -> out.put(k, v.without(owners, xattrs, mtime, mode)));
        return out;
    }
}
