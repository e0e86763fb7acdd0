package io.vdetach.image;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What VHD, VHDX and VDI share: one file whose guest disk is cut into blocks of one size, each
 * found through a table (BAT, block map) or left to an optional parent, whose sectors a bitmap
 * may split between the two. A format supplies {@link #mapBlock}; the walk, the parent and the
 * resources are here.
 */
public abstract class BlockTableImage extends MappedLayer implements DiskImage {
    protected final HostFile file;
    protected final DiskImage parent;
    private final long size;
    private final long blockSize;
    private final List<String> warnings;

    protected BlockTableImage(HostFile file, DiskImage parent, long size, long blockSize, List<String> warnings) {
        this.file = file;
        this.parent = parent;
        this.size = size;
        this.blockSize = blockSize;
        this.warnings = List.copyOf(warnings);
    }

    /** Appends the runs of guest {@code [pos, pos + n)}, which lies in block {@code block} starting at {@code blockStart}. */
    protected abstract void mapBlock(List<Run> out, long block, long blockStart, long pos, long n) throws IOException;

    @Override
    public List<Run> map(long offset, long length) throws IOException {
        long end = Math.min(size, offset + length);
        if (offset < 0 || end <= offset) return List.of();
        List<Run> out = new ArrayList<>();
        for (long pos = offset; pos < end; ) {
            long block = pos / blockSize;
            long blockStart = block * blockSize;
            long n = Math.min(end - blockStart, blockSize) - (pos - blockStart);
            mapBlock(out, block, blockStart, pos, n);
            pos += n;
        }
        return out;
    }

    /** Guest {@code [pos, pos + n)} as the parent holds it: its runs, zeros past its end or without one. */
    protected void appendParent(List<Run> out, long pos, long n) throws IOException {
        ParentRuns.append(parent, out, pos, n);
    }

    /**
     * A block split by its sector bitmap {@code bm}, one bit per {@code sector} bytes ({@code msbFirst}:
     * bit 7 of byte 0 is the block's first sector, else bit 0): set sectors lie in {@code target} from
     * {@code data} (the block's first byte), clear ones are the parent's.
     */
    protected void mapBySectors(List<Run> out, byte[] bm, boolean msbFirst, long sector, Layer target, long data,
            long blockStart, long pos, long n) throws IOException {
        long last = (pos - blockStart + n - 1) / sector;
        for (long s = (pos - blockStart) / sector; s <= last; ) {
            boolean set = bit(bm, s, msbFirst);
            int same = set ? 0xFF : 0x00;
            long t = s + 1;
            while (t <= last) {
                if ((t & 7) == 0 && t + 8 <= last + 1 && (bm[(int) (t >>> 3)] & 0xFF) == same) t += 8;
                else if (bit(bm, t, msbFirst) == set) t++;
                else break;
            }
            long runStart = Math.max(blockStart + s * sector, pos);
            long runEnd = Math.min(blockStart + t * sector, pos + n);
            if (set) ExtentMaps.appendMerging(out, new Run.Mapped(runStart, runEnd - runStart, target, data + (runStart - blockStart)));
            else appendParent(out, runStart, runEnd - runStart);
            s = t;
        }
    }

    private static boolean bit(byte[] bm, long sector, boolean msbFirst) {
        int b = bm[(int) (sector >>> 3)];
        return (msbFirst ? b & (0x80 >>> (sector & 7)) : b & (1 << (sector & 7))) != 0;
    }

    /** Only a parent's runs can be materialised here (say, compressed clusters of a qcow2 parent). */
    @Override
    protected void readMaterialised(Run.Materialise run, ByteBuffer dst) throws IOException {
        if (parent == null) super.readMaterialised(run, dst);
        else parent.readFully(run.start(), dst);
    }

    @Override
    public long size() { return size; }

    @Override
    public String describe() { return file.describe(); }

    @Override
    public List<String> warnings() { return warnings; }

    @Override
    public void close() throws IOException {
        try {
            if (parent != null) parent.close();
        } finally {
            file.close();
        }
    }
}
