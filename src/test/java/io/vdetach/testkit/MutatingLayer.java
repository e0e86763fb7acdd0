package io.vdetach.testkit;

import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A real image seen through in-memory byte patches, for hostile-input tests: it records the
 * ranges a pristine parse reads (the metadata), then overwrites random bytes inside them.
 */
public final class MutatingLayer implements Layer {
    private final Layer base;
    private final List<long[]> reads = new ArrayList<>();
    private TreeMap<Long, Byte> patches = new TreeMap<>();
    private boolean recording = true;

    public MutatingLayer(Layer base) { this.base = base; }

    @Override public long size() { return base.size(); }
    @Override public String describe() { return base.describe(); }
    @Override public List<Run> map(long offset, long length) throws IOException { return base.map(offset, length); }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        int start = dst.position();
        int n = base.read(offset, dst);
        if (recording && n > 0 && n <= 65536) reads.add(new long[] {offset, n});
        for (var e : patches.subMap(offset, offset + Math.max(n, 0)).entrySet()) {
            dst.put(start + (int) (e.getKey() - offset), e.getValue());
        }
        return n;
    }

    /** Stops recording and replaces the patches by up to {@code maxBytes} random ones in recorded ranges. */
    public TreeMap<Long, Byte> mutate(Random rnd, int maxBytes) {
        recording = false;
        patches = new TreeMap<>();
        int n = 1 + rnd.nextInt(maxBytes);
        for (int k = 0; k < n; k++) {
            long[] r = reads.get(rnd.nextInt(reads.size()));
            long at = r[0] + rnd.nextInt((int) r[1]);
            byte v = switch (rnd.nextInt(4)) {
                case 0 -> 0;
                case 1 -> (byte) 0xff;
                default -> (byte) rnd.nextInt(256);
            };
            patches.put(at, v);
        }
        return patches;
    }
}
