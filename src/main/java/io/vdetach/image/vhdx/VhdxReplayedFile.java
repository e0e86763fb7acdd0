package io.vdetach.image.vhdx;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The image file as it would be after replaying its log, built in memory and never written:
 * the host file, with the replayed 4 KiB blocks and zeroed ranges laid over it, extended with
 * zeros to the log's LastFileOffset. Its map says which bytes are still the host file's
 * (shareable) and which exist only in the log (materialised).
 */
final class VhdxReplayedFile implements Layer {
    static final String REASON = "VHDX log replay (data only in the log)";

    /** [start, end) of the file replaced by {@code data} from {@code dataOffset}, or by zeros when data is null. */
    private record Patch(long start, long end, byte[] data, int dataOffset) {}

    private final HostFile file;
    private final long size;
    private final TreeMap<Long, Patch> patches = new TreeMap<>();

    VhdxReplayedFile(HostFile file, long size) {
        this.file = file;
        this.size = size;
    }

    /** Lays {@code [start, end)} over everything before it: later log writes win. */
    void put(long start, long end, byte[] data) {
        Map.Entry<Long, Patch> before = patches.lowerEntry(start);
        if (before != null && before.getValue().end > start) {
            Patch p = before.getValue();
            patches.put(p.start, cut(p, p.start, start));
            if (p.end > end) patches.put(end, cut(p, end, p.end));
        }
        for (Patch p : new ArrayList<>(patches.subMap(start, true, end, false).values())) {
            patches.remove(p.start);
            if (p.end > end) patches.put(end, cut(p, end, p.end));
        }
        patches.put(start, new Patch(start, end, data, 0));
    }

    private static Patch cut(Patch p, long from, long to) {
        return new Patch(from, to, p.data, p.data == null ? 0 : p.dataOffset + (int) (from - p.start));
    }

    @Override
    public long size() { return size; }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset >= size || !dst.hasRemaining()) return 0;
        int want = (int) Math.min(dst.remaining(), size - offset);
        for (long pos = offset; pos < offset + want; ) {
            Run r = runAt(pos, offset + want);
            int n = (int) r.length();
            switch (r) {
                case Run.Mapped m -> {
                    file.readFully(pos, dst.slice().limit(n));
                    dst.position(dst.position() + n);
                }
                case Run.Materialise x -> {
                    Patch p = patchAt(pos);
                    dst.put(p.data, p.dataOffset + (int) (pos - p.start), n);
                }
                case Run.Hole h -> dst.put(new byte[n]);
            }
            pos += n;
        }
        return want;
    }

    @Override
    public List<Run> map(long offset, long length) {
        long end = Math.min(size, offset + length);
        List<Run> out = new ArrayList<>();
        for (long pos = offset; pos < end; pos = out.getLast().end()) ExtentMaps.appendMerging(out, runAt(pos, end));
        return out;
    }

    /** The bytes from {@code pos} up to where what holds them changes (at most {@code end}): a patch, the file, or zeros past it. */
    private Run runAt(long pos, long end) {
        Patch p = patchAt(pos);
        if (p != null) {
            long n = Math.min(p.end, end) - pos;
            return p.data == null ? new Run.Hole(pos, n) : new Run.Materialise(pos, n, REASON);
        }
        Long next = patches.higherKey(pos);
        long stop = Math.min(end, next == null ? end : next);
        return pos < file.size() ? new Run.Mapped(pos, Math.min(stop, file.size()) - pos, file, pos) : new Run.Hole(pos, stop - pos);
    }

    private Patch patchAt(long pos) {
        Map.Entry<Long, Patch> e = patches.floorEntry(pos);
        return e == null || e.getValue().end <= pos ? null : e.getValue();
    }

    @Override
    public String describe() { return file.describe() + " (log replayed in memory)"; }
}
