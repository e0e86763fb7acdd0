package io.vdetach.apply.offline;

import io.vdetach.apply.Progress;

import java.nio.file.Path;

/**
 * @param undoFile where the old contents of every overwritten block go (must not exist); null
 *     means no undo (only allowed with {@code dryRun})
 * @param dryRun plan and count, write nothing
 * @param faultAfterWrites for crash tests: fail every block write after this many (-1: never)
 * @param maxBufferedCopyBytes copies into the image's own spare blocks are read into memory first
 *     (those blocks may hold what the copies read); beyond this many bytes copies go to free space
 * @param progress told about files as their blocks are copied
 * @param detachBacking hand over the blocks of the whole chain and remove every file of it that
 *     lies in the host (backing files too, which other images may share); otherwise only the
 *     image's own files go and runs in backing files are copied
 */
public record OfflineOptions(Path undoFile, boolean dryRun, long faultAfterWrites, long maxBufferedCopyBytes, Progress progress,
                             boolean detachBacking) {
    public static final long DEFAULT_BUFFERED_COPY = 256L << 20;

    public OfflineOptions(Path undoFile, boolean dryRun, long faultAfterWrites, long maxBufferedCopyBytes) {
        this(undoFile, dryRun, faultAfterWrites, maxBufferedCopyBytes, Progress.NONE, false);
    }

    public static OfflineOptions withUndo(Path undoFile) {
        return new OfflineOptions(undoFile, false, -1, DEFAULT_BUFFERED_COPY);
    }

    public static OfflineOptions dryRunOnly() {
        return new OfflineOptions(null, true, -1, DEFAULT_BUFFERED_COPY);
    }

    public OfflineOptions undoingTo(Path file) {
        return new OfflineOptions(file, dryRun, faultAfterWrites, maxBufferedCopyBytes, progress, detachBacking);
    }

    public OfflineOptions withFaultAfter(long writes) {
        return new OfflineOptions(undoFile, dryRun, writes, maxBufferedCopyBytes, progress, detachBacking);
    }

    public OfflineOptions withProgress(Progress p) {
        return new OfflineOptions(undoFile, dryRun, faultAfterWrites, maxBufferedCopyBytes, p, detachBacking);
    }

    public OfflineOptions withDetachBacking(boolean whole) {
        return new OfflineOptions(undoFile, dryRun, faultAfterWrites, maxBufferedCopyBytes, progress, whole);
    }
}
