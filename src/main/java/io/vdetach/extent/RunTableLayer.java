package io.vdetach.extent;

import java.util.List;

/** A layer whose map is a precomputed {@link RunTable}: a file's runs onto its volume. */
public final class RunTableLayer extends MappedLayer {
    private final RunTable table;
    private final String name;

    public RunTableLayer(RunTable table, String name) {
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
