package io.vdetach.api;

import io.vdetach.apply.Report;
import java.util.List;
import java.util.Map;

/**
 * What an extraction (or its plan, or a detach) did, as the command line's {@code --json} report
 * says it.
 *
 * @param seconds wall time of the run
 * @param extraSpaceUsed the drop of DEST's free space (statfs) over the run: what sharing saved shows here
 * @param streaming {@code detach --streaming}'s figures; null for other runs
 * @param deletion what a detach deleted and the space that freed; null when nothing was deleted
 * @param notSharedBecause bytes per "kind: reason" for data that was not shared
 * @param exitCode the command line's exit code for this run: 0 all done, 1 some entries or volumes
 *     failed, 3 a recognised volume could not be read and nothing else was
 */
public record ExtractionReport(Counts counts, double seconds, long extraSpaceUsed, Streaming streaming, Deletion deletion,
                               Map<String, Long> notSharedBecause, List<Volume> volumes, List<Conflict> conflicts,
                               List<EntryError> errors, List<String> warnings, int exitCode) {

    /** Entries and bytes; {@code bytesCopied} includes {@code bytesMaterialised} (decoded bytes are written, not shared). */
    public record Counts(long files, long directories, long symlinks, long hardlinks, long specials, long bytesTotal,
                         long bytesShared, long bytesCopied, long bytesMaterialised, long bytesSparse) {}

    /** One volume: its filesystem, whether it was extracted, and what was taken from it. */
    public record Volume(String name, String filesystem, String status, Counts counts, long errors) {}

    /** A name that existed in DEST, what was done ("renamed", "skipped", …) and the new name when renamed. */
    public record Conflict(String path, String action, String newName) {}

    /** One entry (or volume) that failed; the run went on. */
    public record EntryError(String path, String reason, FailureKind kind) {}

    /** @param windows image units copied, synced and punched; @param peakExtraSpace the largest free-space drop on DEST */
    public record Streaming(long windows, long peakExtraSpace) {}

    /** @param spaceReclaimed the free-space gain of the image's filesystem after deleting (measured) */
    public record Deletion(List<String> deleted, long spaceReclaimed) {}

    public ExtractionReport {
        notSharedBecause = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(notSharedBecause));
        volumes = List.copyOf(volumes);
        conflicts = List.copyOf(conflicts);
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    static ExtractionReport of(Report r) {
        return new ExtractionReport(counts(r.counts()), r.seconds(), r.extraSpaceUsed(),
                r.streaming() == null ? null : new Streaming(r.streaming().windows(), r.streaming().peakExtraSpace()),
                r.deletion() == null ? null : new Deletion(List.copyOf(r.deletion().deleted()), r.deletion().spaceReclaimed()),
                r.notSharedBecause(),
                r.volumes().stream().map(v -> new Volume(v.name(), v.filesystem(), v.status(), counts(v.counts()), v.errors())).toList(),
                r.conflicts().stream().map(c -> new Conflict(c.path(), c.action(), c.newName())).toList(),
                r.errors().stream().map(e -> new EntryError(e.path(), e.reason(), FailureKind.valueOf(e.kind().name()))).toList(),
                r.warnings(), r.exitCode());
    }

    private static Counts counts(Report.Counts c) {
        return new Counts(c.files(), c.directories(), c.symlinks(), c.hardlinks(), c.specials(), c.bytesTotal(), c.bytesShared(),
                c.bytesCopied(), c.bytesMaterialised(), c.bytesSparse());
    }
}
