package io.vdetach.image;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.CachedLayer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A table of fixed-width entries stored in an image file (a qcow2 L1 table, a VHD/VHDX BAT, a VDI
 * block map), read entry by entry through a {@link CachedLayer} over the file: its pages live in
 * the image's one block cache, so memory stays within that budget whatever size the image gives
 * the table. Callers check that the table lies inside the file before building one.
 *
 * @param width entry width in bytes: 4 or 8
 * @param format and {@code structure} name the table in errors
 */
public record TablePages(CachedLayer file, long offset, long entries, int width, ByteOrder order, String format,
        String structure) {

    public TablePages {
        if (width != 4 && width != 8) throw new IllegalArgumentException("entry width " + width);
    }

    /** Entry {@code index} as an unsigned value (4-byte entries are zero-extended). */
    public long get(long index) throws IOException {
        if (index < 0 || index >= entries) {
            throw new IndexOutOfBoundsException(structure + " entry " + index + " of " + entries);
        }
        long at = offsetOf(index);
        ByteBuffer b = ByteBuffer.allocate(width).order(order);
        if (file.read(at, b) != width) {
            throw new CorruptImageException(format, structure, at, "table ends past the end of the file");
        }
        return width == 4 ? Integer.toUnsignedLong(b.getInt(0)) : b.getLong(0);
    }

    /** File offset of entry {@code index}, for messages. */
    public long offsetOf(long index) {
        return offset + index * width;
    }
}
