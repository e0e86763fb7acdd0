package io.vdetach.guestfs.exfat;

import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries of one exFAT directory, read in pieces of at most 64 KiB so that even the largest
 * directory (256 MiB) never sits in memory whole. Entry sets may cross cluster boundaries; the
 * reader follows the directory's clusters in order (its layer maps them onto the volume).
 */
final class ExfatDirectory {
    /** Section 6.2: a directory is at most 256 MiB. */
    static final long MAX_BYTES = 256L << 20;
    private static final int PIECE = 64 << 10;
    private static final int ENTRY = EntrySet.ENTRY;
    /** A File entry (0x85) with its in-use bit clear. */
    private static final int DELETED_FILE = FileDirectoryEntry.TYPE & 0x7f;

    final List<EntrySet> sets = new ArrayList<>();
    /**
     * Deleted entry sets (File entry 0x05, its secondaries 0x40, 0x41 …: in-use bit clear, section
     * 6.2.1.4), checked with their in-use bits restored; collected only when asked for.
     */
    final List<EntrySet> deleted = new ArrayList<>();
    /** Root only: the volume label, the allocation bitmap and up-case table entries (raw 32 bytes each, and where). */
    String label;
    ByteBuffer bitmapEntry;
    ByteBuffer upcaseEntry;
    long bitmapAt, upcaseAt;

    /** Reads the directory {@code dir}; {@code upcase} (may be null) checks name hashes. */
    static ExfatDirectory read(Layer dir, UpcaseTable upcase) throws IOException {
        return read(dir, upcase, false);
    }

    /** As {@link #read(Layer, UpcaseTable)}, also collecting deleted sets when {@code withDeleted}. */
    static ExfatDirectory read(Layer dir, UpcaseTable upcase, boolean withDeleted) throws IOException {
        ExfatDirectory d = new ExfatDirectory();
        Cursor c = new Cursor(dir);
        ByteBuffer set = ByteBuffer.allocate((EntrySet.MAX_SECONDARY + 1) * ENTRY);
        boolean again = false;
        while (again || c.next()) {
            again = false;
            int type = c.entry.get(0) & 0xff;
            if (type == 0x00) break; // section 6.2.1: end of directory
            if (withDeleted && type == DELETED_FILE) {
                long offset = c.offset();
                int want = Math.min(c.entry.get(1) & 0xff, EntrySet.MAX_SECONDARY);
                set.clear();
                set.put(c.entry.duplicate().rewind());
                int got = 0;
                while (got < want && c.next()) {
                    if ((c.entry.get(0) & 0xC0) != 0x40) { // not a deleted secondary: see this entry again
                        again = true;
                        break;
                    }
                    set.put(c.entry.duplicate().rewind());
                    got++;
                }
                set.flip();
                // The SetChecksum covered the entries in use: restore their in-use bits (bit 7 of the type) to check it.
                for (int i = 0; i <= got; i++) set.put(i * ENTRY, (byte) (set.get(i * ENTRY) | 0x80));
                EntrySet s = EntrySet.parse(set, 1 + got, offset, upcase);
                if (s.file() != null) d.deleted.add(s);
                continue;
            }
            if ((type & 0x80) == 0) continue; // unused or deleted
            switch (type) {
                case 0x81 -> { if (d.bitmapEntry == null) { d.bitmapEntry = c.copy(); d.bitmapAt = c.offset(); } }
                case 0x82 -> { if (d.upcaseEntry == null) { d.upcaseEntry = c.copy(); d.upcaseAt = c.offset(); } }
                case 0x83 -> {
                    int n = Math.min(11, c.entry.get(1) & 0xff);
                    char[] name = new char[n];
                    for (int i = 0; i < n; i++) name[i] = c.entry.getChar(2 + 2 * i);
                    if (d.label == null) d.label = new String(name);
                }
                case FileDirectoryEntry.TYPE -> {
                    long offset = c.offset();
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

    /** Steps through the 32-byte entries of the directory. */
    private static final class Cursor {
        private final Layer dir;
        private ByteBuffer piece = ByteBuffer.allocate(0);
        /** Where the next piece starts in the directory. */
        private long next;
        final ByteBuffer entry = ByteBuffer.allocate(ENTRY).order(java.nio.ByteOrder.LITTLE_ENDIAN);

        Cursor(Layer dir) {
            this.dir = dir;
        }

        boolean next() throws IOException {
            if (!piece.hasRemaining()) {
                if (dir.size() - next < ENTRY) return false;
                int len = (int) Math.min(PIECE, (dir.size() - next) & ~(ENTRY - 1));
                piece = dir.readBytes(next, len);
                next += len;
            }
            piece.get(entry.array(), 0, ENTRY);
            return true;
        }

        ByteBuffer copy() {
            return ByteBuffer.wrap(entry.array().clone()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        }

        /** The volume offset of the current entry: a node id. */
        long offset() throws IOException {
            List<Run> r = dir.map(next - piece.remaining() - ENTRY, ENTRY);
            return r.getFirst() instanceof Run.Mapped m ? m.offset() : -1;
        }
    }
}
