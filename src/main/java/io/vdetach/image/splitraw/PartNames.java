package io.vdetach.image.splitraw;

/**
 * How the parts of a split raw image are named, from the first part's name: a numeric suffix of
 * two or more digits starting at 0 or 1 ({@code disk.001}, {@code disk.000}, {@code x00} from
 * {@code split -d}), or a suffix of two or more letters starting at "a…a" ({@code xaa},
 * {@code disk.aa} from {@code split}). Each following part has the next suffix of the same width.
 */
record PartNames(String stem, int width, boolean letters, long first) {
    /** Sets of more parts are refused: split's own suffixes stop at 26^2 or 10^3 by default. */
    static final long MAX_PARTS = 100_000;

    /** The candidate namings for a first part called {@code name}, widest suffix first; empty when it is no first part. */
    static java.util.List<PartNames> of(String name) {
        java.util.List<PartNames> out = new java.util.ArrayList<>();
        int n = name.length();
        int d = 0;
        while (d < n && Character.isDigit(name.charAt(n - 1 - d)) && name.charAt(n - 1 - d) < 128) d++;
        if (d >= 2 && d < n) {
            String digits = name.substring(n - d);
            if (digits.chars().limit(d - 1).allMatch(c -> c == '0') && (digits.endsWith("0") || digits.endsWith("1"))) {
                out.add(new PartNames(name.substring(0, n - d), d, false, digits.charAt(d - 1) - '0'));
            }
        }
        int a = 0;
        while (a < n && name.charAt(n - 1 - a) == 'a') a++;
        for (int w = Math.min(a, 4); w >= 2; w--) {
            if (w < n) out.add(new PartNames(name.substring(0, n - w), w, true, 0));
        }
        return out;
    }

    /** How many parts the suffix width allows. */
    long max() {
        long m = 1;
        for (int i = 0; i < width && m < MAX_PARTS; i++) m *= letters ? 26 : 10;
        return Math.min(MAX_PARTS, m - first);
    }

    /** The name of part {@code i} (0 is the first). */
    String name(long i) {
        long v = first + i;
        char[] s = new char[width];
        for (int k = width - 1; k >= 0; k--) {
            s[k] = letters ? (char) ('a' + v % 26) : (char) ('0' + v % 10);
            v /= letters ? 26 : 10;
        }
        return stem + new String(s);
    }
}
