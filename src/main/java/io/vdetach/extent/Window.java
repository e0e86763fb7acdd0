package io.vdetach.extent;

import java.util.List;

/** {@code [start, start + size)} of a lower layer, seen as a layer of its own (a partition). */
public final class Window extends MappedLayer {
    private final Layer below;
    private final long start;
    private final long size;
    private final String name;

    public Window(Layer below, long start, long size, String name) {
        if (start < 0 || size < 0 || start + size < start) throw new IllegalArgumentException("bad window");
        this.below = below;
        this.start = start;
        this.size = size;
        this.name = name;
    }

    public Layer below() { return below; }

    public long start() { return start; }

    @Override
    public long size() { return size; }

    @Override
    public List<Run> map(long offset, long length) {
        long end = Math.min(size, offset + length);
        if (offset < 0 || end <= offset) return List.of();
        return List.of(new Run.Mapped(offset, end - offset, below, start + offset));
    }

    @Override
    public String describe() { return name; }
}
