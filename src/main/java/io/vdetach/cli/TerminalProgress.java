package io.vdetach.cli;

import io.vdetach.apply.Progress;
import java.io.PrintStream;

/** One line on stderr, redrawn at most 4 times a second, only when stdout is a terminal. */
final class TerminalProgress implements Progress {
    private final PrintStream err;
    private final long start = System.nanoTime();
    private volatile long totalBytes;
    private volatile long totalEntries;
    private long lastDraw;
    private boolean drawn;

    private TerminalProgress(PrintStream err) {
        this.err = err;
    }

    static Progress create(boolean disabled) {
        java.io.Console c = System.console();
        if (disabled || c == null || !c.isTerminal()) return Progress.NONE;
        return new TerminalProgress(System.err);
    }

    @Override
    public void expect(long bytes, long entries) {
        this.totalBytes = bytes;
        this.totalEntries = entries;
    }

    @Override
    public synchronized void update(long files, long bytes, long bytesShared) {
        long now = System.nanoTime();
        if (now - start < 1_000_000_000L || now - lastDraw < 250_000_000L) return;
        lastDraw = now;
        double secs = (now - start) / 1e9;
        double rate = bytes / secs;
        // Share mode costs per file, copy mode per byte: the later of the two estimates.
        double left = 0;
        if (totalBytes > 0 && bytes > 0 && bytes < totalBytes) left = secs * (totalBytes - bytes) / bytes;
        if (totalEntries > 0 && files > 0 && files < totalEntries) left = Math.max(left, secs * (totalEntries - files) / files);
        String eta = left > 0 ? String.format(" ETA %ds", (long) Math.ceil(left)) : "";
        err.printf("\r%,d files  %s  shared %s  %s/s%s   ", files, Units.bytes(bytes), Units.percent(bytesShared, bytes),
                Units.bytes((long) rate), eta);
        err.flush();
        drawn = true;
    }

    @Override
    public synchronized void done() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
