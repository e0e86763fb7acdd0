package io.vdetach.extent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A layer whose reads follow its own map: mapped runs read the layer below, holes read
 * zeros, and materialised runs call {@link #readMaterialised}. Formats and filesystems
 * extend it and write only {@code map} (and {@code readMaterialised} if they have such runs).
 */
public abstract class MappedLayer implements Layer {

    /** Largest span mapped per read call, so one read never builds a huge run list. */
    private static final long MAX_MAP_SPAN = 64L << 20;

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset < 0) throw new IllegalArgumentException("negative offset");
        if (offset >= size() || !dst.hasRemaining()) return 0;
        int want = (int) Math.min(dst.remaining(), Math.min(size() - offset, MAX_MAP_SPAN));
        List<Run> runs = map(offset, want);
        int done = 0;
        for (Run r : runs) {
            int n = (int) r.length();
            int limit = dst.limit();
            dst.limit(dst.position() + n);
            try {
                switch (r) {
                    case Run.Mapped m -> m.target().readFully(m.offset(), dst);
                    case Run.Hole h -> zero(dst);
                    case Run.Materialise mat -> {
                        readMaterialised(mat, dst);
                        if (dst.hasRemaining()) throw new IOException(describe() + ": short materialised read");
                    }
                }
            } finally {
                dst.limit(limit);
            }
            done += n;
        }
        if (done != want) throw new IOException(describe() + ": map covered " + done + " of " + want + " bytes");
        return done;
    }

    /** Fills {@code dst} (exactly its remaining bytes) with the run's decoded bytes. */
    protected void readMaterialised(Run.Materialise run, ByteBuffer dst) throws IOException {
        throw new IOException(describe() + ": no reader for materialised run (" + run.reason() + ")");
    }

    /** Writes zeros into all remaining bytes of {@code dst}. */
    protected static void zero(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            if (dst.remaining() >= 8) dst.putLong(0L);
            else dst.put((byte) 0);
        }
    }
}
