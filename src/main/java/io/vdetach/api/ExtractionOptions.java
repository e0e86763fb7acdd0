package io.vdetach.api;

import io.vdetach.apply.ExtractOptions;
import io.vdetach.apply.Progress;
import io.vdetach.plan.ConflictPolicy;
import io.vdetach.plan.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link Image#extract} writes an image's files into DEST: immutable, each {@code with…}
 * returns a copy. The defaults share where DEST can, rename on a name conflict, take every
 * volume (each into {@code DEST/<volume>/}), restore owners only as root, and cap each volume's
 * output at its size.
 */
public final class ExtractionOptions {
    /** {@link #maxOutput()}: as much as each volume's size (the default). */
    public static final long VOLUME_SIZE = ExtractOptions.VOLUME_SIZE;
    /** {@link #maxOutput()}: no limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** Writer threads when not told: the cores, at most 4. */
    public static final int DEFAULT_THREADS = ExtractOptions.DEFAULT_THREADS;

    private static final ExtractionOptions DEFAULTS = new ExtractionOptions(ShareMode.AUTO, OnConflict.RENAME, null,
            List.of(), List.of(), false, DEFAULT_THREADS, VOLUME_SIZE, ExtractionProgress.NONE);

    private final ShareMode mode;
    private final OnConflict onConflict;
    private final String volume;
    private final List<String> include;
    private final List<String> exclude;
    private final boolean restoreOwners;
    private final int threads;
    private final long maxOutput;
    private final ExtractionProgress progress;

    private ExtractionOptions(ShareMode mode, OnConflict onConflict, String volume, List<String> include, List<String> exclude,
                              boolean restoreOwners, int threads, long maxOutput, ExtractionProgress progress) {
        this.mode = mode;
        this.onConflict = onConflict;
        this.volume = volume;
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        this.restoreOwners = restoreOwners;
        this.threads = threads;
        this.maxOutput = maxOutput;
        this.progress = progress;
    }

    public static ExtractionOptions defaults() { return DEFAULTS; }

    public ShareMode mode() { return mode; }

    public OnConflict onConflict() { return onConflict; }

    /** Only this volume (name or 1-based number), its files straight into DEST; null for every volume. */
    public String volume() { return volume; }

    /** Guest path globs to include ("p1/home/**"); empty: everything. */
    public List<String> include() { return include; }

    public List<String> exclude() { return exclude; }

    /** Set owners (uid, gid) even when not root (needs CAP_CHOWN). */
    public boolean restoreOwners() { return restoreOwners; }

    public int threads() { return threads; }

    public long maxOutput() { return maxOutput; }

    public ExtractionProgress progress() { return progress; }

    public ExtractionOptions withMode(ShareMode m) {
        return new ExtractionOptions(Objects.requireNonNull(m), onConflict, volume, include, exclude, restoreOwners, threads, maxOutput, progress);
    }

    public ExtractionOptions withOnConflict(OnConflict c) {
        return new ExtractionOptions(mode, Objects.requireNonNull(c), volume, include, exclude, restoreOwners, threads, maxOutput, progress);
    }

    public ExtractionOptions withVolume(String nameOrNumber) {
        return new ExtractionOptions(mode, onConflict, nameOrNumber, include, exclude, restoreOwners, threads, maxOutput, progress);
    }

    public ExtractionOptions withInclude(String glob) {
        return new ExtractionOptions(mode, onConflict, volume, plus(include, glob), exclude, restoreOwners, threads, maxOutput, progress);
    }

    public ExtractionOptions withExclude(String glob) {
        return new ExtractionOptions(mode, onConflict, volume, include, plus(exclude, glob), restoreOwners, threads, maxOutput, progress);
    }

    public ExtractionOptions withRestoreOwners(boolean restore) {
        return new ExtractionOptions(mode, onConflict, volume, include, exclude, restore, threads, maxOutput, progress);
    }

    /** @param n writer threads making the system calls while the walker reads the guest, 0..64 (0: the walker writes) */
    public ExtractionOptions withThreads(int n) {
        if (n < 0 || n > 64) throw new IllegalArgumentException("threads must be 0..64, not " + n);
        return new ExtractionOptions(mode, onConflict, volume, include, exclude, restoreOwners, n, maxOutput, progress);
    }

    /** @param bytes file data written per volume before further files are refused; {@link #VOLUME_SIZE} or {@link #UNLIMITED} */
    public ExtractionOptions withMaxOutput(long bytes) {
        if (bytes < 0 && bytes != VOLUME_SIZE) throw new IllegalArgumentException("max output " + bytes);
        return new ExtractionOptions(mode, onConflict, volume, include, exclude, restoreOwners, threads, bytes, progress);
    }

    public ExtractionOptions withProgress(ExtractionProgress p) {
        return new ExtractionOptions(mode, onConflict, volume, include, exclude, restoreOwners, threads, maxOutput, Objects.requireNonNull(p));
    }

    private static List<String> plus(List<String> list, String item) {
        List<String> out = new ArrayList<>(list);
        out.add(Objects.requireNonNull(item));
        return out;
    }

    ExtractOptions internal(boolean dryRun) {
        Progress p = progress == ExtractionProgress.NONE ? Progress.NONE : new Progress() {
            @Override
            public void expect(long totalBytes, long totalEntries) { progress.expect(totalBytes, totalEntries); }

            @Override
            public void update(long files, long bytes, long bytesShared) { progress.update(files, bytes, bytesShared); }

            @Override
            public void done() { progress.done(); }
        };
        return new ExtractOptions(Mode.valueOf(mode.name()), ConflictPolicy.valueOf(onConflict.name()), volume, include, exclude,
                restoreOwners, dryRun, p, threads, maxOutput);
    }
}
