package io.vdetach.image;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A table of fixed-width entries stored in an image file, or a view of one (a VHD/VHDX BAT, a VDI block map),
 * read lazily in 4 KiB pages with a bounded cache. The table's length comes from the image and
 * is untrusted: reading it whole could mean gigabytes, so memory stays at
 * {@link #MAX_CACHED_PAGES} pages whatever the table's size. Callers check that the table lies
 * inside the file before building one.
 */
public final class TablePages {
    private static final int PAGE = 4096;
    /** 1 MiB of cached table: a 2 MiB-block BAT page covers 1 GiB of guest disk, so this is plenty. */
    private static final int MAX_CACHED_PAGES = 256;

    private final Layer file;
    private final long offset;
    private final long entries;
    private final int width;
    private final ByteOrder order;
    private final String format;
    private final String structure;
    private final Map<Long, ByteBuffer> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ByteBuffer> eldest) {
            return size() > MAX_CACHED_PAGES;
        }
    };

    /**
     * @param width entry width in bytes: 4 or 8
     */
    public TablePages(Layer file, long offset, long entries, int width, ByteOrder order,
                      String format, String structure) {
        if (width != 4 && width != 8) throw new IllegalArgumentException("entry width " + width);
        this.file = file;
        this.offset = offset;
        this.entries = entries;
        this.width = width;
        this.order = order;
        this.format = format;
        this.structure = structure;
    }

    public long entries() { return entries; }

    /** Entry {@code index} as an unsigned value (4-byte entries are zero-extended). */
    public long get(long index) throws IOException {
        if (index < 0 || index >= entries) {
            throw new IndexOutOfBoundsException(structure + " entry " + index + " of " + entries);
        }
        long byteInTable = index * width;
        long page = byteInTable / PAGE;
        ByteBuffer b = page(page);
        int at = (int) (byteInTable % PAGE);
        return width == 4 ? Integer.toUnsignedLong(b.getInt(at)) : b.getLong(at);
    }

    /** File offset of entry {@code index}, for messages. */
    public long offsetOf(long index) {
        return offset + index * width;
    }

    private synchronized ByteBuffer page(long page) throws IOException {
        ByteBuffer b = cache.get(page);
        if (b != null) return b;
        long tableBytes = entries * width;
        int len = (int) Math.min(PAGE, tableBytes - page * PAGE);
        long at = offset + page * PAGE;
        b = ByteBuffer.allocate(len).order(order);
        int n = 0;
        while (b.hasRemaining()) {
            int r = file.read(at + n, b);
            if (r <= 0) {
                throw new CorruptImageException(format, structure, at + n, "table ends past the end of the file");
            }
            n += r;
        }
        b.flip();
        cache.put(page, b);
        return b;
    }
}
