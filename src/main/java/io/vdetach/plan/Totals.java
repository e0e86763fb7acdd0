package io.vdetach.plan;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Bytes per run class and per reason, for plan and extract reports. Not thread-safe. */
public final class Totals {
    private final EnumMap<RunClass, Long> bytes = new EnumMap<>(RunClass.class);
    private final Map<String, Long> reasons = new TreeMap<>();
    private long blocksWritten;

    public void add(PlannedRun r) {
        bytes.merge(r.kind(), r.length(), Long::sum);
        if (!r.reason().isEmpty()) reasons.merge(r.kind().name().toLowerCase() + ": " + r.reason(), r.length(), Long::sum);
    }

    /** One file's runs, and the host blocks of {@code blockSize} bytes its written runs fill ({@link HostSpace#blocksWritten}). */
    public void addFile(List<PlannedRun> runs, int blockSize) {
        for (PlannedRun r : runs) add(r);
        blocksWritten += HostSpace.blocksWritten(runs, blockSize);
    }

    public void addAll(Totals other) {
        blocksWritten += other.blocksWritten;
        other.bytes.forEach((k, v) -> bytes.merge(k, v, Long::sum));
        other.reasons.forEach((k, v) -> reasons.merge(k, v, Long::sum));
    }

    public long bytes(RunClass c) { return bytes.getOrDefault(c, 0L); }

    /** Host blocks the files added by {@link #addFile} write. */
    public long blocksWritten() { return blocksWritten; }

    public long total() { return bytes.values().stream().mapToLong(Long::longValue).sum(); }

    /** "copy: reason" &rarr; bytes, sorted by reason. */
    public Map<String, Long> reasons() { return reasons; }
}
