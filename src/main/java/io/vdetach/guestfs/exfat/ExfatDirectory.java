package io.vdetach.guestfs.exfat;

import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries of one exFAT directory, read in pieces of at most 64 KiB so that even the largest
 * directory (256 MiB) never sits in memory whole. Entry sets may cross cluster boundaries; the
 * reader follows the directory's clusters in order.
 */
final class ExfatDirectory {
    /** Section 6.2: a directory is at most 256 MiB. */
    static final long MAX_BYTES = 256L << 20;
    private static final int PIECE = 64 << 10;
    private static final int ENTRY = EntrySet.ENTRY;

    final List<EntrySet> sets = new ArrayList<>();
    /** Root only: the volume label, the allocation bitmap and up-case table entries (raw 32 bytes each, and where). */
    String label;
    ByteBuffer bitmapEntry;
    ByteBuffer upcaseEntry;
    long bitmapAt, upcaseAt;

    /** A byte range of the volume holding part of the directory, in directory order. */
    record Extent(long offset, long length) {}

    /** Reads the directory stored in {@code extents}; {@code upcase} (may be null) checks name hashes. */
    static ExfatDirectory read(Layer volume, List<Extent> extents, UpcaseTable upcase) throws IOException {
        ExfatDirectory d = new ExfatDirectory();
        Cursor c = new Cursor(volume, extents);
        ByteBuffer set = ByteBuffer.allocate((EntrySet.MAX_SECONDARY + 1) * ENTRY);
        boolean again = false;
        while (again || c.next()) {
            again = false;
            int type = c.entry.get(0) & 0xff;
            if (type == 0x00) break; // section 6.2.1: end of directory
            if ((type & 0x80) == 0) continue; // unused or deleted
            switch (type) {
                case 0x81 -> { if (d.bitmapEntry == null) { d.bitmapEntry = copy(c.entry); d.bitmapAt = c.offset; } }
                case 0x82 -> { if (d.upcaseEntry == null) { d.upcaseEntry = copy(c.entry); d.upcaseAt = c.offset; } }
                case 0x83 -> {
                    int n = Math.min(11, c.entry.get(1) & 0xff);
                    char[] name = new char[n];
                    for (int i = 0; i < n; i++) name[i] = c.entry.getChar(2 + 2 * i);
                    if (d.label == null) d.label = new String(name);
                }
                case FileDirectoryEntry.TYPE -> {
                    long offset = c.offset;
                    int want = c.entry.get(1) & 0xff;
                    set.clear();
                    set.put(c.entry.duplicate().rewind());
                    int got = 0;
                    while (got < Math.min(want, EntrySet.MAX_SECONDARY) && c.next()) {
                        int t = c.entry.get(0) & 0xff;
                        if ((t & 0xC0) != 0xC0) { // not an in-use secondary: the set is short; see this entry again
                            again = true;
                            break;
                        }
                        set.put(c.entry.duplicate().rewind());
                        got++;
                    }
                    set.flip();
                    d.sets.add(want > EntrySet.MAX_SECONDARY
                            ? EntrySet.broken(offset, "SecondaryCount " + want + " is above 18")
                            : EntrySet.parse(set, 1 + got, offset, upcase));
                }
                default -> { } // benign primaries (volume GUID, TexFAT padding) and orphan secondaries
            }
        }
        return d;
    }

    private static ByteBuffer copy(ByteBuffer e) {
        ByteBuffer b = ByteBuffer.allocate(ENTRY).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(e.duplicate().rewind()).flip();
        return b;
    }

    /** Steps through the 32-byte entries of the extents. */
    private static final class Cursor {
        private final Layer volume;
        private final List<Extent> extents;
        private int extent;
        private long inExtent;
        private ByteBuffer piece = ByteBuffer.allocate(0);
        private long pieceOffset;
        final ByteBuffer entry = ByteBuffer.allocate(ENTRY).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long offset;

        Cursor(Layer volume, List<Extent> extents) {
            this.volume = volume;
            this.extents = extents;
        }

        boolean next() throws IOException {
            if (!piece.hasRemaining()) {
                while (extent < extents.size() && inExtent >= extents.get(extent).length()) {
                    extent++;
                    inExtent = 0;
                }
                if (extent >= extents.size()) return false;
                Extent e = extents.get(extent);
                int len = (int) Math.min(PIECE, e.length() - inExtent);
                pieceOffset = e.offset() + inExtent;
                piece = volume.readBytes(pieceOffset, len);
                inExtent += len;
            }
            offset = pieceOffset + piece.position();
            entry.clear();
            piece.get(entry.array(), 0, ENTRY);
            return true;
        }
    }
}
