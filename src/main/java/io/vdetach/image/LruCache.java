package io.vdetach.image;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small least-recently-used cache of decoded tables or decompressed blocks, keyed by
 * their offset in the file and bounded by total bytes (each value states its weight), so
 * memory stays bounded whatever the image says. Thread-safe: layers are read concurrently.
 */
public final class LruCache<V> {
    private final long maxBytes;
    private final java.util.function.ToLongFunction<V> weight;
    private final LinkedHashMap<Long, V> map = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public LruCache(long maxBytes, java.util.function.ToLongFunction<V> weight) {
        this.maxBytes = maxBytes;
        this.weight = weight;
    }

    public synchronized V get(long key) {
        return map.get(key);
    }

    public synchronized void put(long key, V value) {
        V old = map.put(key, value);
        if (old != null) bytes -= weight.applyAsLong(old);
        bytes += weight.applyAsLong(value);
        var it = map.entrySet().iterator();
        while (bytes > maxBytes && map.size() > 1 && it.hasNext()) {
            Map.Entry<Long, V> e = it.next();
            if (e.getKey() == key) continue;
            bytes -= weight.applyAsLong(e.getValue());
            it.remove();
        }
    }
}
