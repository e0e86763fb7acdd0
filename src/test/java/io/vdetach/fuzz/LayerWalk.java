package io.vdetach.fuzz;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

/**
 * Maps and reads a layer (a disk, a volume, a file's content) the way the commands do, with a
 * budget so that a layer claiming petabytes costs a bounded time: the map in steps of
 * {@link #STEP} (as {@code dump} maps), composed down to host files, and the first bytes of every
 * run read through the layer (which decodes compressed ones). Besides the error invariant, each
 * map must cover exactly the range asked, and a run stored as-is must lie inside its host file.
 */
final class LayerWalk {
    /** Guest bytes mapped per step, as {@code dump} maps. */
    static final long STEP = 256L << 20;
    /** Bytes of a layer mapped at most: its start, and one step at its end. */
    private static final long MAP_BUDGET = 4L << 30;
    /** Runs whose first bytes are read, per step. */
    private static final int RUNS_READ = 256;
    /** Bytes read per run. */
    private static final int READ = 4096;

    private final ByteBuffer buf = ByteBuffer.allocate(64 << 10);
    /** Bytes this walk may still read, over all layers it is given. */
    private long readBudget;
    /** Told every run stored as-is in a host file (which bytes are data, not metadata); may be null. */
    private final Consumer<Run.Mapped> stored;

    LayerWalk(long readBudget, Consumer<Run.Mapped> stored) {
        this.readBudget = readBudget;
        this.stored = stored;
    }

    void walk(Layer layer) throws IOException {
        long size = layer.size();
        if (size < 0) throw new AssertionError(layer.describe() + ": negative size " + size);
        read(layer, 0, buf.capacity());
        read(layer, size - READ, READ);
        long mapped = Math.min(size, MAP_BUDGET);
        for (long pos = 0; pos < mapped; pos += STEP) step(layer, pos, Math.min(STEP, size - pos));
        if (mapped < size) step(layer, size - STEP, STEP);
    }

    private void step(Layer layer, long pos, long length) throws IOException {
        List<Run> runs = ExtentMaps.toHostFiles(layer, pos, length);
        check(layer, runs, pos, Math.min(pos + length, layer.size()));
        int n = 0;
        for (Run r : runs) {
            if (r instanceof Run.Hole) continue;
            if (stored != null && r instanceof Run.Mapped m) stored.accept(m);
            if (n++ >= RUNS_READ) break;
            if (!read(layer, r.start(), (int) Math.min(READ, r.length()))) continue;
            if (r instanceof Run.Mapped m) sameAsStored(layer, m);
        }
    }

    /**
     * What the layer reads at a run stored as-is equals the bytes at the place the map names: share
     * mode clones those bytes, copy mode reads them through the layer, and both must give the same file.
     */
    private void sameAsStored(Layer layer, Run.Mapped m) throws IOException {
        byte[] viaLayer = new byte[buf.limit()];
        buf.flip().get(viaLayer);
        ByteBuffer below = ByteBuffer.allocate(viaLayer.length);
        m.target().read(m.offset(), below);
        if (!java.util.Arrays.equals(viaLayer, 0, viaLayer.length, below.array(), 0, viaLayer.length)) {
            throw new AssertionError(layer.describe() + ": reads other bytes at " + m.start() + " than the map names: " + m);
        }
    }

    /** The map covers {@code [from, to)} with contiguous runs; stored runs lie inside their files. */
    static void check(Layer layer, List<Run> runs, long from, long to) {
        long at = from;
        for (Run r : runs) {
            if (r.start() != at) throw new AssertionError(layer.describe() + ": map of [" + from + ", " + to + ") has " + r + " where " + at + " was due");
            at = r.end();
            if (r instanceof Run.Mapped m && m.target() instanceof HostFile f && m.offset() + m.length() > f.size()) {
                throw new AssertionError(layer.describe() + ": " + r + " lies past the end of " + f + " (" + f.size() + " bytes)");
            }
        }
        if (at != Math.max(from, to)) {
            throw new AssertionError(layer.describe() + ": map of [" + from + ", " + to + ") ends at " + at);
        }
    }

    /** Reads {@code length} bytes (at most the buffer, within the budget) into {@link #buf}; false when nothing was read. */
    private boolean read(Layer layer, long pos, int length) throws IOException {
        if (pos < 0 || length <= 0 || readBudget <= 0) return false;
        buf.clear().limit((int) Math.min(Math.min(length, buf.capacity()), readBudget));
        readBudget -= buf.limit();
        int want = (int) Math.max(0, Math.min(buf.limit(), layer.size() - pos));
        int n = layer.read(pos, buf);
        if (n != want) throw new AssertionError(layer.describe() + ": read of " + buf.limit() + " bytes at " + pos + " returned " + n + ", not " + want);
        buf.limit(buf.position());
        return n > 0;
    }
}
