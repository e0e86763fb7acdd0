package io.vdetach.cli;

/** Human-readable sizes and ratios for terminal output. */
final class Units {
    private Units() {}

    static String bytes(long n) {
        if (Math.abs(n) < 1024) return n + " B";
        String[] u = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int i = -1;
        while (Math.abs(v) >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, u[i]);
    }

    static String percent(long part, long whole) {
        if (whole == 0) return "-";
        // the two ratios nearly every file of a listing has, without a Formatter each (the same text)
        if (part == 0) return "0.0%";
        if (part == whole) return "100.0%";
        return String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
