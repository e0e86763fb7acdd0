package io.vdetach.apply;

import io.vdetach.evidence.EvidenceOptions;
import io.vdetach.plan.ConflictPolicy;
import io.vdetach.plan.Mode;
import java.util.List;

/**
 * @param volume only this volume (name or 1-based number), its files straight into DEST; null for all
 * @param include guest path globs to include (empty: everything); matched against "p1/etc/hosts"
 * @param exclude guest path globs to leave out
 * @param restoreOwners set uid/gid (root, or --owner)
 * @param dryRun classify and count, write nothing
 * @param threads writer threads making the system calls while the walker reads the guest (0: none)
 * @param maxOutput bytes of file data (holes not counted) written per volume before further files are
 *     refused: {@link #VOLUME_SIZE} for the volume's own size (an image cannot hold more data than
 *     its volume unless its structures claim the same blocks twice), {@link Long#MAX_VALUE} for no limit
 * @param evidence the manifest, bodyfile and hashes to write besides the files ({@link EvidenceOptions#NONE}: none)
 * @param deleted also each volume's recovered entries (--deleted), under {@code <volume>/$Deleted/} and {@code $Orphan/}
 */
public record ExtractOptions(Mode mode, ConflictPolicy onConflict, String volume, List<String> include,
                             List<String> exclude, boolean restoreOwners, boolean dryRun, Progress progress, int threads,
                             long maxOutput, EvidenceOptions evidence, boolean deleted) {

    /** Without recovered entries. */
    public ExtractOptions(Mode mode, ConflictPolicy onConflict, String volume, List<String> include, List<String> exclude,
                          boolean restoreOwners, boolean dryRun, Progress progress, int threads, long maxOutput,
                          EvidenceOptions evidence) {
        this(mode, onConflict, volume, include, exclude, restoreOwners, dryRun, progress, threads, maxOutput, evidence, false);
    }

    /** {@link #maxOutput}: as much as the volume's size. */
    public static final long VOLUME_SIZE = -1;

    /** With output capped at each volume's size, without evidence outputs. */
    public ExtractOptions(Mode mode, ConflictPolicy onConflict, String volume, List<String> include, List<String> exclude,
                          boolean restoreOwners, boolean dryRun, Progress progress, int threads) {
        this(mode, onConflict, volume, include, exclude, restoreOwners, dryRun, progress, threads, VOLUME_SIZE,
                EvidenceOptions.NONE);
    }

    /** Without evidence outputs. */
    public ExtractOptions(Mode mode, ConflictPolicy onConflict, String volume, List<String> include, List<String> exclude,
                          boolean restoreOwners, boolean dryRun, Progress progress, int threads, long maxOutput) {
        this(mode, onConflict, volume, include, exclude, restoreOwners, dryRun, progress, threads, maxOutput,
                EvidenceOptions.NONE);
    }

    public ExtractOptions withEvidence(EvidenceOptions e) {
        return new ExtractOptions(mode, onConflict, volume, include, exclude, restoreOwners, dryRun, progress, threads,
                maxOutput, e, deleted);
    }

    /** The same options, with or without the recovered entries (--deleted). */
    public ExtractOptions withDeleted(boolean d) {
        return new ExtractOptions(mode, onConflict, volume, include, exclude, restoreOwners, dryRun, progress, threads,
                maxOutput, evidence, d);
    }

    /** Two writers: measured best on 2 cores (the walker needs little CPU). */
    public static final int DEFAULT_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    public static ExtractOptions defaults() {
        return new ExtractOptions(Mode.AUTO, ConflictPolicy.RENAME, null, List.of(), List.of(), false, false, Progress.NONE,
                DEFAULT_THREADS);
    }
}
