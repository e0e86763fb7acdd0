package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.plan.HostSpace;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What an extraction or detach did, as a value (DESIGN.md's --json report): made by
 * {@link Tally#report} when the run ends (its lists and map unmodifiable); the CLI renders it.
 *
 * @param streaming detach --streaming's figures; null for other runs
 * @param deletion what detach deleted and the space that freed; null when nothing was deleted
 * @param hostSpace plan's prediction of what the run takes of DEST's filesystem (blocks written, peak); null for other runs
 * @param recovered entries recovered by --deleted (below $Deleted/ and $Orphan/), not in {@code counts}; null without --deleted
 * @param notSharedBecause bytes per "kind: reason" for runs that were not shared
 */
public record Report(Counts counts, Counts recovered, double seconds, long extraSpaceUsed, Streaming streaming, Deletion deletion,
                     HostSpace hostSpace, Map<String, Long> notSharedBecause, List<Volume> volumes, List<Conflict> conflicts,
                     List<EntryError> errors, List<String> warnings, int exitCode) {

    /** Entries and bytes; bytesCopied includes bytesMaterialised (decoded bytes are written, not shared). */
    public record Counts(long files, long directories, long symlinks, long hardlinks, long specials, long bytesTotal,
                         long bytesShared, long bytesCopied, long bytesMaterialised, long bytesSparse) {}

    /** One volume: what it holds, whether it was extracted, what was taken from it. */
    public record Volume(String name, String filesystem, String status, Counts counts, long errors) {}

    public record Conflict(String path, String action, String newName) {}

    /** One entry that failed; the run went on. */
    public record EntryError(String path, String reason, ErrorKind kind) {}

    /** @param windows image units copied, synced and punched; @param peakExtraSpace largest statfs free-space drop on DEST */
    public record Streaming(long windows, long peakExtraSpace) {}

    /** @param spaceReclaimed statfs free-space gain of the image's filesystem after deleting (never an estimate) */
    public record Deletion(List<String> deleted, long spaceReclaimed) {}

    /**
     * DESIGN.md's exit code for a command that reads the image's volumes (extract, plan, ls): 0
     * without errors; 3 when a recognised volume could not be read and nothing else was read
     * either; 1 when some entries or volumes failed and the rest was read.
     */
    public static int exitCode(long errors, boolean nothingRead, long volumeFailures) {
        if (errors == 0) return 0;
        return nothingRead && volumeFailures > 0 ? 3 : 1;
    }

    /** The same report with one more warning. */
    public Report withWarning(String warning) {
        return new Report(counts, recovered, seconds, extraSpaceUsed, streaming, deletion, hostSpace, notSharedBecause, volumes, conflicts, errors,
                Stream.concat(warnings.stream(), Stream.of(warning)).toList(), exitCode);
    }

    Report withDeletion(Deletion d) {
        return new Report(counts, recovered, seconds, extraSpaceUsed, streaming, d, hostSpace, notSharedBecause, volumes, conflicts, errors,
                warnings, exitCode);
    }
}
