package io.vdetach.guestfs.fat;

import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import java.util.List;

/** A FAT file's bytes: its cluster runs mapped onto the volume, the last one cut by the file size. */
final class FatFileLayer extends MappedLayer {
    private final RunTable table;
    private final String name;

    FatFileLayer(RunTable table, String name) {
        this.table = table;
        this.name = name;
    }

    @Override
    public long size() { return table.size(); }

    @Override
    public List<Run> map(long offset, long length) { return table.slice(offset, length); }

    @Override
    public String describe() { return name; }
}
