package io.vdetach.apply;

import io.vdetach.guestfs.TreeWalker;
import java.util.List;

/**
 * A guest entry's path for messages ("p1/etc/hosts"), made into text only when a message needs
 * it: a walk 2,000 directories deep with 255-byte names would otherwise build a 500 KB string per
 * entry and hold one per directory and per queued file. In messages a path longer than
 * {@link #MAX_CHARS} keeps its start and end around "…".
 *
 * @param path the walker's path below the volume (not copied: the walker never changes a path it handed out)
 */
record EntryPath(String volume, List<byte[]> path) {
    /** Report lines stay readable and a report of many errors stays small. */
    static final int MAX_CHARS = 4096;

    static EntryPath of(String volume) {
        return new EntryPath(volume, List.of());
    }

    /** The whole path, however long (glob matching). */
    String full() {
        String p = TreeWalker.display(path);
        return p.isEmpty() ? volume : volume + "/" + p;
    }

    @Override
    public String toString() {
        String s = full();
        if (s.length() <= MAX_CHARS) return s;
        int head = MAX_CHARS / 4, tail = MAX_CHARS - head - 64;
        return s.substring(0, head) + "…(" + (s.length() - head - tail) + " characters)…" + s.substring(s.length() - tail);
    }
}
