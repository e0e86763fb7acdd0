package io.vdetach.guestfs.exfat;

import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import java.util.List;

/** An exFAT file's bytes: clusters mapped onto the volume up to ValidDataLength, a hole after it. */
final class ExfatFileLayer extends MappedLayer {
    private final RunTable table;
    private final String name;

    ExfatFileLayer(RunTable table, String name) {
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
