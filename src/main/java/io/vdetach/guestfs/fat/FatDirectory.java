package io.vdetach.guestfs.fat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * The entries of one FAT directory, decoded from its bytes: long names joined and checked
 * against their 8.3 entry, free and dot entries skipped, the volume label set aside.
 */
final class FatDirectory {
    /** fatgen103 section 6: a directory holds at most 65,536 32-byte entries (2 MiB). */
    static final int MAX_BYTES = 65536 * ShortDirEntry.SIZE;
    /** A long name has at most 255 characters, so at most 20 entries of 13. */
    private static final int MAX_LFN_ENTRIES = 20;

    /** One named entry; {@code offset} is its 8.3 entry's byte offset on the volume (its id). */
    record Item(byte[] name, long offset, ShortDirEntry entry) {}

    final List<Item> items = new ArrayList<>();
    /** Deleted 8.3 entries (first byte 0xE5), named by {@link DeletedName}, in directory order. */
    final List<Item> deleted = new ArrayList<>();
    /** The volume-label entry's name, or null (meaningful in the root only). */
    String label;

    /**
     * @param data the directory's bytes, a whole number of entries
     * @param volumeOffset where byte {@code at} of {@code data} is on the volume
     * @param cp the code page of its 8.3 names
     */
    static FatDirectory parse(ByteBuffer data, LongUnaryOperator volumeOffset, OemCodePage cp) {
        FatDirectory d = new FatDirectory();
        char[] lfn = null;
        int expect = 0;
        int checksum = -1;
        DeletedName gone = new DeletedName();
        for (int at = 0; at + ShortDirEntry.SIZE <= data.limit(); at += ShortDirEntry.SIZE) {
            int first = data.get(at) & 0xff;
            if (first == 0) break; // fatgen103 section 6.1: 0x00 marks the end of the directory
            int attr = data.get(at + 11) & 0xff;
            if (first == ShortDirEntry.FREE) {
                lfn = null;
                Item item = gone.offer(data, at, attr, cp, volumeOffset);
                if (item != null) d.deleted.add(item);
                continue;
            }
            gone.reset();
            if ((attr & 0x3f) == ShortDirEntry.ATTR_LONG_NAME) {
                LongNameEntry e = LongNameEntry.parse(data, at);
                int pos = e.position();
                if (e.isLast() && pos >= 1 && pos <= MAX_LFN_ENTRIES) {
                    lfn = new char[pos * LongNameEntry.CHARS];
                    checksum = e.checksum();
                } else if (lfn == null || e.isLast() || pos != expect || pos == 0 || e.checksum() != checksum) {
                    lfn = null; // out of sequence: Linux then shows the 8.3 name, and so do we
                    continue;
                }
                System.arraycopy(e.chars(), 0, lfn, (pos - 1) * LongNameEntry.CHARS, LongNameEntry.CHARS);
                expect = pos - 1;
                continue;
            }
            ShortDirEntry s = ShortDirEntry.parse(data, at);
            char[] longName = lfn != null && expect == 0 && checksum == s.checksum() ? lfn : null;
            lfn = null;
            if ((attr & ShortDirEntry.ATTR_VOLUME_ID) != 0) {
                if (!s.isDirectory() && d.label == null) d.label = s.displayName(cp);
                continue;
            }
            if (s.isDotEntry()) continue;
            String name = longName != null ? longName(longName) : null;
            if (name == null || name.isEmpty()) name = s.displayName(cp);
            d.items.add(new Item(name.getBytes(StandardCharsets.UTF_8), volumeOffset.applyAsLong(at), s));
        }
        return d;
    }

    /** The name up to its NUL terminator (absent when it fills the last entry exactly). */
    private static String longName(char[] c) {
        int len = 0;
        while (len < c.length && c[len] != 0) len++;
        return new String(c, 0, len);
    }
}
