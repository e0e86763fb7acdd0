package io.vdetach.image.ewf;

/**
 * Segment file names (libyal EWF, "Segment file naming"): the first file's extension is a letter
 * and "01" (E01, e01, s01); segments 1-99 are that letter and two digits, then the letters run
 * AA..ZZ after it and the first letter steps on (E99, EAA … EZZ, FAA … ZZZ), in the first file's case.
 */
final class SegmentNames {
    private final String stem;
    private final char first;
    private final boolean lower;

    private SegmentNames(String stem, char first) {
        this.stem = stem;
        this.first = Character.toUpperCase(first);
        this.lower = Character.isLowerCase(first);
    }

    /** The naming of the set whose first file is {@code name}, or null when that name does not end in a letter and "01". */
    static SegmentNames of(String name) {
        int n = name.length();
        if (n < 3 || !name.endsWith("01") || !Character.isLetter(name.charAt(n - 3)) || name.charAt(n - 3) > 'z') return null;
        return new SegmentNames(name.substring(0, n - 3), name.charAt(n - 3));
    }

    /** How many segments the naming allows (14,971 for E01). */
    int max() { return 99 + 26 * 26 * ('Z' - first + 1); }

    /** The name of segment {@code n} (1-based, at most {@link #max()}). */
    String name(int n) {
        String ext;
        if (n <= 99) {
            ext = first + String.format("%02d", n);
        } else {
            int k = n - 100;
            ext = "" + (char) (first + k / 676) + (char) ('A' + k / 26 % 26) + (char) ('A' + k % 26);
        }
        return stem + (lower ? ext.toLowerCase(java.util.Locale.ROOT) : ext);
    }
}
