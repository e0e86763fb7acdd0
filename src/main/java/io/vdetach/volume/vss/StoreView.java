package io.vdetach.volume.vss;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Layer;
import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The volume as it was at one shadow copy ("Reading snapshot data"): for each 16 KiB block, the
 * stores from that one (the active store) to the newest are asked in turn; the first with a
 * descriptor for it answers (a preserved copy, or a forwarder to another block of the next
 * store), else the live volume does. The active store's overlay replaces the sectors it holds. A
 * block no store answers for reads as zeros when the active store is the newest and its bitmaps
 * mark the block not in use (and no forwarder names it). Every run maps onto the live volume.
 */
public final class StoreView extends MappedLayer {
    private final Layer volume;
    private final long size;
    private final String name;
    /** The active store first, the newest last. */
    private final List<StoreIndex> stores;
    /** The newest store's bitmaps when it is the active store (either may be null); else null. */
    private final StoreBitmap current, previous;

    StoreView(Layer volume, long size, String name, List<StoreIndex> stores, StoreBitmap current, StoreBitmap previous) {
        this.volume = volume;
        this.size = size;
        this.name = name;
        this.stores = List.copyOf(stores);
        this.current = current;
        this.previous = previous;
    }

    @Override
    public long size() { return size; }

    @Override
    public String describe() { return name; }

    @Override
    public List<Run> map(long offset, long length) throws IOException {
        long end = Math.min(size, offset + length);
        List<Run> out = new ArrayList<>();
        StoreIndex active = stores.getFirst();
        for (long pos = Math.max(0, offset); pos < end; ) {
            long block = pos - pos % Vss.BLOCK;
            long blockEnd = Math.min(block + Vss.BLOCK, end);
            long base = base(block);
            StoreIndex.Overlay o = active.overlay(block);
            int overlay = o == null ? 0 : o.bits();
            if (overlay == 0) {
                emit(out, pos, blockEnd, base < 0 ? -1 : base + (pos - block));
            } else {
                long at = o.at();
                for (long s = pos; s < blockEnd; ) {
                    int sector = (int) ((s - block) / Vss.SECTOR);
                    long sectorEnd = Math.min(block + (sector + 1L) * Vss.SECTOR, blockEnd);
                    long in = s - block;
                    if ((overlay >>> sector & 1) != 0) emit(out, s, sectorEnd, at + in);
                    else emit(out, s, sectorEnd, base < 0 ? -1 : base + in);
                    s = sectorEnd;
                }
            }
            pos = blockEnd;
        }
        return out;
    }

    /** Where the whole block at {@code block} is read in the live volume, or -1 for zeros. */
    private long base(long block) throws IOException {
        long b = block;
        int last = stores.size() - 1;
        for (int i = 0; i <= last; i++) {
            StoreIndex s = stores.get(i);
            int slot = s.find(b);
            if (slot < 0 || s.kind(slot) == StoreIndex.NONE) continue;
            if (s.kind(slot) == StoreIndex.DATA) return s.target(slot);
            b = s.target(slot); // a forwarder: the block it names, as the next store (or the volume) has it
            if (i == last) return b;
        }
        if (stores.getLast().reversed(b)) return b;
        if (current != null && current.notInUse(b) && (previous == null || previous.notInUse(b))) return -1;
        return b;
    }

    private void emit(List<Run> out, long start, long end, long source) {
        Run r = source < 0 ? new Run.Hole(start, end - start) : new Run.Mapped(start, end - start, volume, source);
        ExtentMaps.appendMerging(out, r);
    }
}
