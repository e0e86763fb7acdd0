package io.vdetach.plan;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.host.HostFilesystem;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classifies a file's runs, composed down to host files, into share / copy / hole /
 * materialise, with the reason for every run that is not shared.
 */
public final class Classifier {
    private final HostFilesystem dest;
    private final Mode mode;
    private final int blockSize;
    private final HostFilesystem.TailPolicy tailPolicy;
    private final Map<HostFile, HostFilesystem> sourceFs = new IdentityHashMap<>();

    public Classifier(HostFilesystem dest, Mode mode) {
        this.dest = dest;
        this.mode = mode;
        this.blockSize = dest.blockSize();
        this.tailPolicy = dest.tailPolicy();
    }

    private Classifier(int blockSize) {
        this.dest = null;
        this.mode = Mode.AUTO;
        this.blockSize = blockSize;
        this.tailPolicy = HostFilesystem.TailPolicy.WRITE;
    }

    /**
     * For {@code ls}: as if DEST were on the image's filesystem and could share blocks of
     * {@code blockSize} bytes, so what remains is where the data lies.
     */
    public static Classifier hypothetical(int blockSize) {
        return new Classifier(blockSize);
    }

    /** DEST's block size: the unit of sharing and of the blocks partial runs fill. */
    public int blockSize() {
        return blockSize;
    }

    /** Why nothing at all can be shared from {@code src} into DEST, or null when sharing can be tried. */
    public String whyNotShared(HostFile src) {
        if (dest == null) return null;
        if (mode == Mode.COPY) return "--mode copy";
        if (!dest.canShareExtents()) return "DEST's filesystem (" + dest.type() + ") cannot share extents";
        HostFilesystem fs = sourceFs.computeIfAbsent(src, f -> HostFilesystem.of(f.path()));
        if (!fs.sameFilesystemAs(dest)) return "the image file is on another filesystem than DEST";
        return null;
    }

    public List<PlannedRun> classify(List<Run> composed, long fileSize) {
        List<PlannedRun> out = new ArrayList<>(composed.size() + 2);
        int bs = blockSize;
        for (Run r : composed) {
            switch (r) {
                case Run.Hole h -> out.add(new PlannedRun(h.start(), h.length(), RunClass.HOLE, null, 0, "", false));
                case Run.Materialise m -> out.add(new PlannedRun(m.start(), m.length(), RunClass.MATERIALISE, null, 0, m.reason(), false));
                case Run.Mapped m -> mapped(out, m, (HostFile) m.target(), bs, fileSize);
            }
        }
        return out;
    }

    private void mapped(List<PlannedRun> out, Run.Mapped m, HostFile src, int bs, long fileSize) {
        String why = whyNotShared(src);
        if (why != null) {
            out.add(copy(m.start(), m.length(), src, m.offset(), why));
            return;
        }
        if (Math.floorMod(m.offset() - m.start(), bs) != 0) {
            out.add(copy(m.start(), m.length(), src, m.offset(), "stored in the image at an offset not aligned with the file offset"
                    + " to the host's " + bs + "-byte blocks (guest block or container layout)"));
            return;
        }
        long start = m.start();
        long end = m.end();
        long src0 = m.offset() - m.start();
        long head = Math.min(end, roundUp(start, bs));
        if (head > start) {
            out.add(copy(start, head - start, src, src0 + start, "partial host block"));
            start = head;
        }
        long whole = start + (end - start) / bs * bs;
        if (whole > start) {
            out.add(new PlannedRun(start, whole - start, RunClass.SHARE, src, src0 + start, "", false));
            start = whole;
        }
        if (end > start) {
            boolean lastOfFile = end == fileSize;
            if (lastOfFile && tailPolicy == HostFilesystem.TailPolicy.CLONE_AND_TRUNCATE
                    && src0 + start + bs <= src.size()) {
                out.add(new PlannedRun(start, end - start, RunClass.SHARE, src, src0 + start, "", true));
            } else {
                out.add(copy(start, end - start, src, src0 + start, lastOfFile
                        ? "file tail smaller than a host block"
                        : "partial host block"));
            }
        }
    }

    private static PlannedRun copy(long start, long length, HostFile src, long srcOffset, String reason) {
        return new PlannedRun(start, length, RunClass.COPY, src, srcOffset, reason, false);
    }

    private static long roundUp(long v, int bs) {
        return (v + bs - 1) / bs * bs;
    }
}
