package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.VdetachException;
import io.vdetach.plan.PlannedRun;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Records what a run does, from the walker and the writer threads alike (every method locks);
 * {@link #report} turns it into the {@link Report} value.
 */
final class Tally {
    /** Entries and bytes of one scope: the whole run, or one volume. */
    private static final class Counter {
        long files, directories, symlinks, hardlinks, specials, bytesTotal, bytesShared, bytesCopied, bytesMaterialised, bytesSparse;

        Report.Counts counts() {
            return new Report.Counts(files, directories, symlinks, hardlinks, specials, bytesTotal, bytesShared, bytesCopied,
                    bytesMaterialised, bytesSparse);
        }
    }

    /** A volume of the run: entries are recorded against it. */
    static final class Volume {
        private final String name;
        private final String filesystem;
        private final String status;
        private final Counter counter = new Counter();
        private long errors;

        private Volume(String name, String filesystem, String status) {
            this.name = name;
            this.filesystem = filesystem;
            this.status = status;
        }
    }

    private final Counter total = new Counter();
    private final Map<String, Long> notShared = new TreeMap<>();
    private final List<Volume> volumes = new ArrayList<>();
    private final List<Report.Conflict> conflicts = new ArrayList<>();
    private final List<Report.EntryError> errors = new ArrayList<>();
    /** In arrival order, each once (a set: many files may bring the same warning). */
    private final Set<String> warnings = new LinkedHashSet<>();
    /** Volumes whose filesystem was recognised but could not be opened. */
    private int volumeFailures;
    private long extraSpaceUsed;
    private Report.Streaming streaming;

    synchronized Volume volume(String name, String filesystem) {
        Volume v = new Volume(name, filesystem, "extracted");
        volumes.add(v);
        return v;
    }

    /** A volume whose filesystem is recognised but damaged or unsupported: an error of that volume. */
    synchronized void volumeFailed(String name, String what, VdetachException problem) {
        Volume v = new Volume(name, what, "error");
        volumes.add(v);
        volumeFailures++;
        error(v, name, problem);
    }

    synchronized void directory(Volume v) {
        total.directories++;
        v.counter.directories++;
    }

    synchronized void symlink() {
        total.symlinks++;
    }

    synchronized void special() {
        total.specials++;
    }

    synchronized void hardlink() {
        total.hardlinks++;
    }

    /** One written file. */
    synchronized void file(Volume v, long size, long shared, long copied, long materialised, long sparse) {
        for (Counter c : new Counter[] {total, v.counter}) {
            c.files++;
            c.bytesTotal += size;
            c.bytesShared += shared;
            c.bytesCopied += copied + materialised;
            c.bytesMaterialised += materialised;
            c.bytesSparse += sparse;
        }
    }

    /** A file none of whose bytes were shared: planned shared runs count as copied. */
    void copiedFile(Volume v, long size, List<PlannedRun> runs) {
        long copied = 0, decoded = 0, sparse = 0;
        for (PlannedRun r : runs) {
            switch (r.kind()) {
                case COPY, SHARE -> copied += r.length();
                case MATERIALISE -> decoded += r.length();
                case HOLE -> sparse += r.length();
            }
        }
        file(v, size, 0, copied, decoded, sparse);
    }

    /** An entry that failed for {@code e}: its kind is the exception's where it is one of ours. */
    void error(Volume v, String path, Throwable e) {
        error(v, path, e.getMessage() == null ? e.toString() : e.getMessage(), kindOf(e));
    }

    synchronized void error(Volume v, String path, String reason, ErrorKind kind) {
        errors.add(new Report.EntryError(path, reason, kind));
        if (v != null) v.errors++;
    }

    /** What a failure of one entry is: ours carry their kind; anything else is a bug in vdetach. */
    static ErrorKind kindOf(Throwable e) {
        return switch (e) {
            case VdetachException v -> v.kind();
            case EntryFailure f -> f.kind();
            case EOFException eof -> ErrorKind.CORRUPT;
            case IOException io -> ErrorKind.HOST;
            default -> ErrorKind.INTERNAL;
        };
    }

    synchronized void conflict(String path, String action, String newName) {
        conflicts.add(new Report.Conflict(path, action, newName));
    }

    /** Adds a warning once. */
    synchronized void warn(String warning) {
        warnings.add(warning);
    }

    synchronized void notShared(Map<String, Long> bytesByReason) {
        bytesByReason.forEach((why, n) -> notShared.merge(why, n, Long::sum));
    }

    synchronized void extraSpaceUsed(long bytes) {
        extraSpaceUsed = bytes;
    }

    synchronized void streaming(long windows, long peakExtraSpace) {
        streaming = new Report.Streaming(windows, peakExtraSpace);
    }

    synchronized int errorCount() {
        return errors.size();
    }

    /** Hands the running totals to a progress line. */
    void progress(Progress p) {
        long files, bytes, shared;
        synchronized (this) {
            files = total.files;
            bytes = total.bytesTotal;
            shared = total.bytesShared;
        }
        p.update(files, bytes, shared);
    }

    /**
     * The value. Exit code: 0 all done, 1 some entries skipped or failed, 3 when a damaged volume
     * was the reason and nothing at all could be extracted.
     */
    synchronized Report report(double seconds) {
        boolean nothing = total.files + total.directories + total.symlinks + total.specials == 0;
        int exit = errors.isEmpty() ? 0 : nothing && volumeFailures > 0 ? 3 : 1;
        List<Report.Volume> vols = new ArrayList<>();
        for (Volume v : volumes) vols.add(new Report.Volume(v.name, v.filesystem, v.status, v.counter.counts(), v.errors));
        return new Report(total.counts(), seconds, extraSpaceUsed, streaming, null, notShared, vols, conflicts, errors,
                new ArrayList<>(warnings), exit);
    }
}
