package io.vdetach.extent;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The one cache of vdetach: least recently used, bounded by bytes, shared by every layer of one
 * opened image (container chain, volumes, filesystems), so a chain of 256 backing files holds one
 * budget, not 256. Each user takes a {@link Region}: its own key space, weight function and
 * hit/miss counters ({@link #stats()}, printed under {@code VDETACH_DEBUG}). Thread-safe.
 */
public final class BlockCache {
    /** What one opened image may hold in cached metadata and decoded blocks unless told otherwise. */
    public static final long DEFAULT_BUDGET = 64L << 20;
    /** Bookkeeping per entry (map node, key, value header), so a million tiny values still count. */
    private static final long ENTRY_OVERHEAD = 96;

    /** Hand-written equals and hashCode: this is on every metadata read, and records' generated ones cost more. */
    private record Key(int region, long key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.key == key && k.region == region;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(key * 0x9E3779B97F4A7C15L) ^ region;
        }
    }

    private record Entry(Object value, long weight) {}

    private final long budget;
    private final LinkedHashMap<Key, Entry> map = new LinkedHashMap<>(256, 0.75f, true);
    private final List<Region<?>> regions = new ArrayList<>();
    private long bytes;
    private long evictions;

    public BlockCache(long budgetBytes) {
        if (budgetBytes < 0) throw new IllegalArgumentException("negative cache budget " + budgetBytes);
        this.budget = budgetBytes;
    }

    /** A cache with {@link #DEFAULT_BUDGET}. */
    public static BlockCache withDefaultBudget() {
        return new BlockCache(DEFAULT_BUDGET);
    }

    public long budget() { return budget; }

    /** Bytes held now (values and bookkeeping). */
    public synchronized long bytes() { return bytes; }

    /** A new key space named {@code name} ("qcow2 L2 tables of top.qcow2"), values weighed by {@code weight} bytes. */
    public synchronized <V> Region<V> region(String name, ToLongFunction<? super V> weight) {
        Region<V> r = new Region<>(regions.size(), name, weight);
        regions.add(r);
        return r;
    }

    /** One line per region that was used: hits, misses, and the whole cache's size. */
    public synchronized String stats() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("cache: %d of %d bytes held, %d evictions%n", bytes, budget, evictions));
        for (Region<?> r : regions) {
            long h = r.hits.sum(), m = r.misses.sum();
            if (h + m > 0) b.append(String.format("cache   %-48s hits %10d  misses %9d%n", r.name, h, m));
        }
        return b.toString();
    }

    private synchronized Object lookup(Key k) {
        Entry e = map.get(k);
        return e == null ? null : e.value;
    }

    /** Stores a value; returns the bytes evicted to make room. */
    private synchronized long store(Key k, Object value, long weight) {
        long w = weight + ENTRY_OVERHEAD;
        if (w > budget) return 0; // larger than the whole budget: used once, never held
        Entry old = map.put(k, new Entry(value, w));
        if (old != null) bytes -= old.weight;
        bytes += w;
        if (bytes <= budget) return 0;
        long freed = 0;
        Iterator<Map.Entry<Key, Entry>> it = map.entrySet().iterator();
        while (bytes > budget && it.hasNext()) {
            Map.Entry<Key, Entry> e = it.next();
            if (e.getKey().equals(k)) continue;
            bytes -= e.getValue().weight;
            freed += e.getValue().weight;
            evictions++;
            it.remove();
        }
        return freed;
    }

    /**
     * Lets every cached value go: for a run past its last read through the cache (streaming
     * detach copies with its own reads once the walk is done), so the collector can give the
     * budget's memory back. Values are loaded again if asked for.
     */
    public synchronized void clear() {
        map.clear();
        bytes = 0;
    }

    private synchronized void dropRegion(int region) {
        Iterator<Map.Entry<Key, Entry>> it = map.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Entry> e = it.next();
            if (e.getKey().region() == region) {
                bytes -= e.getValue().weight;
                it.remove();
            }
        }
    }

    /** Loads a value that is not cached; may throw what reading the image throws. */
    @FunctionalInterface
    public interface Loader<V, E extends Exception> {
        V load(long key) throws E;
    }

    /** One user's part of the cache. */
    public final class Region<V> {
        private final int id;
        private final String name;
        private final ToLongFunction<? super V> weight;
        private final LongAdder hits = new LongAdder(), misses = new LongAdder();

        private Region(int id, String name, ToLongFunction<? super V> weight) {
            this.id = id;
            this.name = name;
            this.weight = weight;
        }

        public String name() { return name; }

        public long hits() { return hits.sum(); }

        public long misses() { return misses.sum(); }

        /** The cached value for {@code key}, or null. */
        @SuppressWarnings("unchecked")
        public V get(long key) {
            V v = (V) lookup(new Key(id, key));
            if (v == null) misses.increment();
            else hits.increment();
            return v;
        }

        public void put(long key, V value) {
            long freed = store(new Key(id, key), value, weight.applyAsLong(value));
            if (freed > 0) HeapPacer.evicted(freed); // outside the cache's lock
        }

        /** The cached value, or {@code loader}'s, which is then cached (loaded outside the lock). */
        public <E extends Exception> V get(long key, Loader<V, E> loader) throws E {
            V v = get(key);
            if (v != null) return v;
            v = loader.load(key);
            put(key, v);
            return v;
        }

        /** Forgets every value of this region (its owner was closed). */
        public void clear() {
            dropRegion(id);
        }
    }
}
