package io.vdetach.apply.offline;

import io.vdetach.guestfs.ext.codec.Ext4Extent;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;

import java.util.ArrayList;
import java.util.List;

/**
 * The image file as it lies inside the unmounted host filesystem: its bytes are read from the
 * device through the image inode's extents. It maps onto the device's {@link HostFile}, so a
 * guest stack built on it composes down to device offsets, which the detach can donate.
 */
public final class ImageFileLayer extends MappedLayer {
    private final HostFile device;
    private final long base;
    private final List<Ext4Extent> extents;
    private final long[] starts;
    private final long size;
    private final int bs;
    private final String name;

    ImageFileLayer(HostFile device, long base, List<Ext4Extent> extents, long size, int blockSize, String name) {
        this.device = device;
        this.base = base;
        this.extents = List.copyOf(extents);
        this.starts = extents.stream().mapToLong(Ext4Extent::logical).toArray();
        this.size = size;
        this.bs = blockSize;
        this.name = name;
    }

    public HostFile device() { return device; }

    @Override
    public long size() { return size; }

    @Override
    public List<Run> map(long offset, long length) {
        long end = Math.min(size, offset + length);
        if (offset < 0 || end <= offset) return List.of();
        List<Run> out = new ArrayList<>();
        long pos = offset;
        int i = java.util.Arrays.binarySearch(starts, pos / bs);
        if (i < 0) i = Math.max(0, -i - 2);
        while (pos < end) {
            while (i < extents.size() && extents.get(i).logicalEnd() * bs <= pos) i++;
            if (i >= extents.size() || extents.get(i).logical() * bs >= end) {
                out.add(new Run.Hole(pos, end - pos));
                break;
            }
            Ext4Extent e = extents.get(i);
            long eStart = e.logical() * bs;
            if (eStart > pos) {
                out.add(new Run.Hole(pos, eStart - pos));
                pos = eStart;
            }
            long eEnd = Math.min(e.logicalEnd() * bs, end);
            if (e.unwritten()) out.add(new Run.Hole(pos, eEnd - pos));
            else out.add(new Run.Mapped(pos, eEnd - pos, device, base + e.physical() * bs + (pos - eStart)));
            pos = eEnd;
            i++;
        }
        List<Run> merged = new ArrayList<>(out.size());
        for (Run r : out) io.vdetach.extent.ExtentMaps.appendMerging(merged, r);
        return merged;
    }

    @Override
    public String describe() { return name; }
}
