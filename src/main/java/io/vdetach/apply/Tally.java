package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.VdetachException;
import io.vdetach.plan.HostSpace;
import io.vdetach.plan.PlannedRun;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
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
    /** Entries, bytes and errors of one scope: the whole run, or one volume. */
    private static final class Counter {
        long files, directories, symlinks, hardlinks, specials, bytesTotal, bytesShared, bytesCopied, bytesMaterialised, bytesSparse,
                errors;

        Report.Counts counts() {
            return new Report.Counts(files, directories, symlinks, hardlinks, specials, bytesTotal, bytesShared, bytesCopied,
                    bytesMaterialised, bytesSparse);
        }
    }

    /** A volume of the run: entries are recorded against it. */
    record Volume(String name, String filesystem, String status, Counter counter) {}

    private final Counter total = new Counter();
    /** Entries recovered by --deleted: counted apart from the live tree's; null until a volume is scanned for them. */
    private Counter recovered;
    private final Map<String, Long> notShared = new TreeMap<>();
    private final List<Volume> volumes = new ArrayList<>();
    private final List<Report.Conflict> conflicts = new ArrayList<>();
    private final List<Report.EntryError> errors = new ArrayList<>();
    /** Each once, in arrival order (many files may bring the same warning). */
    private final Set<String> warnings = new LinkedHashSet<>();
    /** Volumes whose filesystem was recognised but could not be opened. */
    private int volumeFailures;
    private long extraSpaceUsed;
    private Report.Streaming streaming;
    private HostSpace hostSpace;

    synchronized Volume volume(String name, String filesystem) {
        Volume v = new Volume(name, filesystem, "extracted", new Counter());
        volumes.add(v);
        return v;
    }

    /** The recovered entries of a volume (--deleted): counted in the report's "recovered", not with the live tree. */
    synchronized Volume recoveredVolume(String name, String filesystem) {
        if (recovered == null) recovered = new Counter();
        Volume v = new Volume(name, filesystem, RECOVERED, new Counter());
        volumes.add(v);
        return v;
    }

    /** The status of a volume's recovered part in the report. */
    static final String RECOVERED = "recovered";

    /** The run's counter {@code v}'s entries add to: the live total, or the recovered entries'. */
    private Counter sum(Volume v) {
        return RECOVERED.equals(v.status) ? recovered : total;
    }

    /** A volume whose filesystem is recognised but damaged or unsupported: an error of that volume. */
    synchronized void volumeFailed(String name, String what, VdetachException problem) {
        Volume v = new Volume(name, what, "error", new Counter());
        volumes.add(v);
        volumeFailures++;
        error(v, name, problem);
    }

    synchronized void directory(Volume v) {
        sum(v).directories++;
        v.counter.directories++;
    }

    synchronized void symlink(Volume v) {
        sum(v).symlinks++;
        v.counter.symlinks++;
    }

    synchronized void special(Volume v) {
        sum(v).specials++;
        v.counter.specials++;
    }

    synchronized void hardlink(Volume v) {
        sum(v).hardlinks++;
        v.counter.hardlinks++;
    }

    /** One written file. */
    synchronized void file(Volume v, long size, long shared, long copied, long materialised, long sparse) {
        for (Counter c : List.of(sum(v), v.counter)) {
            c.files++;
            c.bytesTotal += size;
            c.bytesShared += shared;
            c.bytesCopied += copied + materialised;
            c.bytesMaterialised += materialised;
            c.bytesSparse += sparse;
        }
    }

    /** A file written as planned; {@code shares}: its SHARE runs were shared, else copied (a host that cannot share). */
    void plannedFile(Volume v, long size, List<PlannedRun> runs, boolean shares) {
        long shared = 0, copied = 0, decoded = 0, sparse = 0;
        for (PlannedRun r : runs) {
            switch (r.kind()) {
                case SHARE -> {
                    if (shares) shared += r.length();
                    else copied += r.length();
                }
                case COPY -> copied += r.length();
                case MATERIALISE -> decoded += r.length();
                case HOLE -> sparse += r.length();
            }
        }
        file(v, size, shared, copied, decoded, sparse);
    }

    /** An entry that failed for {@code e}: ours carry their kind; anything else is a bug in vdetach. */
    void error(Volume v, String path, Throwable e) {
        error(v, path, message(e), kindOf(e));
    }

    /** The kind of an entry's failure: ours carry theirs; anything else is a bug in vdetach. */
    static ErrorKind kindOf(Throwable e) {
        return switch (e) {
            case VdetachException x -> x.kind();
            case EntryFailure f -> f.kind();
            case EOFException eof -> ErrorKind.CORRUPT;
            case IOException io -> ErrorKind.HOST;
            default -> ErrorKind.INTERNAL;
        };
    }

    static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    synchronized void error(Volume v, String path, String reason, ErrorKind kind) {
        errors.add(new Report.EntryError(path, reason, kind));
        if (v != null) v.counter.errors++;
    }

    synchronized void conflict(String path, String action, String newName) {
        conflicts.add(new Report.Conflict(path, action, newName));
    }

    synchronized void notShared(Map<String, Long> bytesByReason) {
        bytesByReason.forEach((why, n) -> notShared.merge(why, n, Long::sum));
    }

    synchronized void warn(String warning) { warnings.add(warning); }
    synchronized void extraSpaceUsed(long bytes) { extraSpaceUsed = bytes; }
    synchronized void streaming(long windows, long peakExtraSpace) { streaming = new Report.Streaming(windows, peakExtraSpace); }
    synchronized void hostSpace(HostSpace s) { hostSpace = s; }

    /** Names the run makes on the host so far: files, directories, symlinks, special files and extra hard-link names. */
    synchronized long entries() {
        long n = total.files + total.directories + total.symlinks + total.specials + total.hardlinks;
        return recovered == null ? n : n + recovered.files + recovered.directories + recovered.symlinks + recovered.specials
                + recovered.hardlinks;
    }

    /** Directories the run makes on the host so far. */
    synchronized long directories() {
        return total.directories + (recovered == null ? 0 : recovered.directories);
    }

    synchronized int errorCount() { return errors.size(); }

    /** Hands the running totals to a progress line (outside the lock). */
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
        int exit = Report.exitCode(errors.size(), nothing, volumeFailures);
        List<Report.Volume> vols = volumes.stream()
                .map(v -> new Report.Volume(v.name, v.filesystem, v.status, v.counter.counts(), v.counter.errors)).toList();
        return new Report(total.counts(), recovered == null ? null : recovered.counts(), seconds, extraSpaceUsed, streaming, null, hostSpace,
                Collections.unmodifiableMap(new TreeMap<>(notShared)), vols, List.copyOf(conflicts), List.copyOf(errors),
                List.copyOf(warnings), exit);
    }
}
