package io.vdetach.guestfs.ext;

import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A file's data: runs mapped onto the volume, holes (sparse or unwritten), or — for inline
 * data — one run materialised from the bytes kept in the inode and its system.data xattr.
 */
final class ExtFile extends MappedLayer {
    static final String INLINE = "inline data (stored in the inode)";

    private final RunTable table;
    private final byte[] inline;
    private final String name;

    private ExtFile(RunTable table, byte[] inline, String name) {
        this.table = table;
        this.inline = inline;
        this.name = name;
    }

    static ExtFile mapped(RunTable table, String name) {
        return new ExtFile(table, null, name);
    }

    /**
     * @param data the bytes stored inline; a file larger than them reads zeros past them, as
     *     the kernel reads it
     */
    static ExtFile inline(byte[] data, long size, String name) {
        RunTable.Builder b = RunTable.builder(size);
        long stored = Math.min(size, data.length);
        if (stored > 0) b.add(new Run.Materialise(0, stored, INLINE));
        return new ExtFile(b.build(), data, name);
    }

    RunTable table() { return table; }

    @Override
    public long size() { return table.size(); }

    @Override
    public List<Run> map(long offset, long length) { return table.slice(offset, length); }

    @Override
    protected void readMaterialised(Run.Materialise run, ByteBuffer dst) {
        // Only inline files have materialised runs; their bytes are all in memory.
        dst.put(inline, (int) run.start(), dst.remaining());
    }

    @Override
    public String describe() { return name; }
}
