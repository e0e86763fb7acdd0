package io.vdetach.cli;

import io.vdetach.apply.Report;
import java.io.PrintStream;

/**
 * Every error and warning as one line on stderr, in one format for every command:
 * {@code vdetach: error: PATH: REASON} and {@code vdetach: warning: TEXT}. The report on stdout
 * (text or --json) lists them too; stderr is where a pipe ({@code vdetach ls img | less}) or a
 * script reading --json still sees them, as with cp, tar and qemu-img.
 */
final class Diagnostics {
    private Diagnostics() {}

    static final String PREFIX = "vdetach: ";

    /** One entry that failed; {@code path} may be null when the failure names no entry. */
    static void error(String path, String reason) {
        line("error: " + (path == null || path.isEmpty() ? "" : path + ": ") + reason);
    }

    static void warning(String text) {
        line("warning: " + text);
    }

    /** Every error and warning of a run's report. */
    static void report(Report r) {
        for (String w : r.warnings()) warning(w);
        for (Report.EntryError e : r.errors()) error(e.path(), e.reason());
    }

    /** Control characters in guest names are escaped: one diagnostic is always one line. */
    private static void line(String text) {
        PrintStream err = System.err;
        System.out.flush();
        err.println(PREFIX + LsCommand.escape(text));
        err.flush();
    }
}
