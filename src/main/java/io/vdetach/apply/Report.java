package io.vdetach.apply;

import io.vdetach.plan.PlannedRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an extraction did: the figures of DESIGN.md's --json report. Filled by one thread. */
public final class Report {
    public long files;
    public long directories;
    public long symlinks;
    public long hardlinks;
    public long specials;
    public long bytesTotal;
    public long bytesShared;
    public long bytesCopied;
    public long bytesSparse;
    public long bytesMaterialised;
    public double seconds;
    /** statfs free-space drop over the run; negative when space was freed (detach). */
    public long extraSpaceUsed;
    public long spaceReclaimed;
    /** detach --streaming: image windows copied and punched (-1: not a streaming run). */
    public long windows = -1;
    /** detach --streaming: max statfs free-space drop on DEST's filesystem, sampled around each window. */
    public long peakExtraSpace = -1;
    public final Map<String, Long> reasons = new LinkedHashMap<>();
    public final List<VolumeFigures> volumes = new ArrayList<>();
    public final List<Conflict> conflicts = new ArrayList<>();
    public final List<EntryError> errors = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();
    public final List<String> deleted = new ArrayList<>();

    public record Conflict(String path, String action, String newName) {}

    public record EntryError(String path, String reason) {}

    /** Per volume: name, what it holds, and what was taken from it. */
    public static final class VolumeFigures {
        public final String name;
        public final String filesystem;
        public String status = "extracted";
        public long files;
        public long directories;
        public long bytesTotal;
        public long bytesShared;
        public long bytesCopied;
        public long bytesSparse;
        public long errors;

        public VolumeFigures(String name, String filesystem) {
            this.name = name;
            this.filesystem = filesystem;
        }
    }

    public synchronized void conflict(String path, String action, String newName) {
        conflicts.add(new Conflict(path, action, newName));
    }

    public synchronized void error(VolumeFigures vf, String path, String reason) {
        errors.add(new EntryError(path, reason));
        if (vf != null) vf.errors++;
    }

    /** Adds a warning once. */
    public synchronized void warn(String warning) {
        if (!warnings.contains(warning)) warnings.add(warning);
    }

    /** Counts a file none of whose bytes were shared: shared runs a host refused count as copied. */
    void copiedFile(VolumeFigures vf, long size, List<PlannedRun> runs) {
        long copied = 0, decoded = 0, sparse = 0;
        for (PlannedRun r : runs) {
            switch (r.kind()) {
                case COPY, SHARE -> copied += r.length();
                case MATERIALISE -> decoded += r.length();
                case HOLE -> sparse += r.length();
            }
        }
        file(vf, size, 0, copied, decoded, sparse);
    }

    /** Counts one written file. */
    synchronized void file(VolumeFigures vf, long size, long shared, long copied, long materialised, long sparse) {
        files++;
        bytesTotal += size;
        bytesShared += shared;
        bytesCopied += copied + materialised;
        bytesMaterialised += materialised;
        bytesSparse += sparse;
        vf.files++;
        vf.bytesTotal += size;
        vf.bytesShared += shared;
        vf.bytesCopied += copied + materialised;
        vf.bytesSparse += sparse;
    }

    /** Volumes whose filesystem was recognised but could not be opened. */
    public int volumeFailures;

    /**
     * Exit code: 0 all done, 1 some entries skipped or failed, 3 when a damaged volume was
     * the reason and nothing at all could be extracted.
     */
    public int exitCode() {
        if (errors.isEmpty()) return 0;
        boolean nothing = files + directories + symlinks + specials == 0;
        return nothing && volumeFailures > 0 ? 3 : 1;
    }
}
