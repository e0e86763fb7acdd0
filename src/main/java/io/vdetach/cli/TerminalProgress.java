package io.vdetach.cli;

import io.vdetach.apply.Progress;
import java.io.PrintStream;

/** One line on stderr, redrawn at most 4 times a second, only when stdout is a terminal. */
final class TerminalProgress implements Progress {
    private final PrintStream err;
    private final long start = System.nanoTime();
    private final long totalBytes;
    private long lastDraw;
    private boolean drawn;

    private TerminalProgress(PrintStream err, long totalBytes) {
        this.err = err;
        this.totalBytes = totalBytes;
    }

    static Progress create(boolean disabled, long totalBytes) {
        java.io.Console c = System.console();
        if (disabled || c == null || !c.isTerminal()) return Progress.NONE;
        return new TerminalProgress(System.err, totalBytes);
    }

    @Override
    public void update(long files, long bytes, long bytesShared) {
        long now = System.nanoTime();
        if (now - start < 1_000_000_000L || now - lastDraw < 250_000_000L) return;
        lastDraw = now;
        double secs = (now - start) / 1e9;
        double rate = bytes / secs;
        String eta = "";
        if (totalBytes > 0 && rate > 0 && bytes < totalBytes) {
            eta = String.format(" ETA %ds", (long) ((totalBytes - bytes) / rate));
        }
        err.printf("\r%,d files  %s  shared %s  %s/s%s   ", files, Units.bytes(bytes), Units.percent(bytesShared, bytes),
                Units.bytes((long) rate), eta);
        err.flush();
        drawn = true;
    }

    @Override
    public void done() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
