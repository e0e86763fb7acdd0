package io.vdetach.extent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Composition of runs down the layer stack. */
public final class ExtentMaps {
    private ExtentMaps() {}

    /**
     * Maps {@code [offset, offset + length)} of {@code top} all the way down to {@link HostFile}s:
     * every {@link Run.Mapped} in the result targets a whole host file that is its own map (a
     * {@link HostFile#slice} maps into its file, a file {@link HostFile#within} an unmounted
     * filesystem is gone through, down to the device); holes and materialised runs
     * of any layer surface as holes and materialised runs of {@code top}.
     */
    public static List<Run> toHostFiles(Layer top, long offset, long length) throws IOException {
        return compose(top.map(offset, length));
    }

    /** Composes runs whose targets may be intermediate layers down to host files. */
    public static List<Run> compose(List<Run> runs) throws IOException {
        List<Run> out = new ArrayList<>(runs.size());
        for (Run r : runs) {
            if (r instanceof Run.Mapped m && !(m.target() instanceof HostFile f && f.isBottom())) {
                List<Run> below = m.target().map(m.offset(), m.length());
                if (mapsOntoItself(below, m.target())) { // a bottom layer of its own (an image held in memory)
                    appendMerging(out, r);
                    continue;
                }
                long pos = r.start();
                for (Run lower : compose(below)) {
                    appendMerging(out, lower.slice(0, lower.length(), pos));
                    pos += lower.length();
                }
                if (pos != r.end()) {
                    throw new IOException(m.target().describe() + " mapped " + (pos - r.start())
                            + " of " + r.length() + " bytes at offset " + m.offset());
                }
            } else {
                appendMerging(out, r);
            }
        }
        return out;
    }

    private static boolean mapsOntoItself(List<Run> runs, Layer layer) {
        for (Run r : runs) if (r instanceof Run.Mapped m && m.target() == layer) return true;
        return false;
    }

    /** Appends {@code r}, merging it into the last run when both continue one another. */
    public static void appendMerging(List<Run> out, Run r) {
        if (!out.isEmpty()) {
            Run last = out.getLast();
            Run merged = merge(last, r);
            if (merged != null) {
                out.set(out.size() - 1, merged);
                return;
            }
        }
        out.add(r);
    }

    private static Run merge(Run a, Run b) {
        if (a.end() != b.start()) return null;
        return switch (a) {
            case Run.Hole h when b instanceof Run.Hole -> new Run.Hole(h.start(), h.length() + b.length());
            case Run.Mapped m when b instanceof Run.Mapped n && m.target() == n.target()
                    && m.offset() + m.length() == n.offset() ->
                    new Run.Mapped(m.start(), m.length() + n.length(), m.target(), m.offset());
            case Run.Materialise m when b instanceof Run.Materialise n && m.reason().equals(n.reason()) ->
                    new Run.Materialise(m.start(), m.length() + n.length(), m.reason());
            default -> null;
        };
    }
}
