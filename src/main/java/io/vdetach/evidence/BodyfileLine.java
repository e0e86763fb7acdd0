package io.vdetach.evidence;

import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TimePrecision;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link EntryRecord} as a Sleuth Kit body line: the name is the guest path with the volume
 * first ("p1/etc/hosts"), the MD5 column the file's MD5 when --hash asked for it, else 0.
 */
public final class BodyfileLine {
    private BodyfileLine() {}

    /** The line, or null for an entry the guest could not describe (no node: nothing to put in a timeline). */
    public static String render(EntryRecord r) {
        Node n = r.node();
        if (n == null) return null;
        List<byte[]> name = new ArrayList<>(r.guestPath().size() + 1);
        name.add(r.volume().getBytes(StandardCharsets.UTF_8));
        name.addAll(r.guestPath());
        if (r.recovery() != null) {
            // a recovered entry is marked as Sleuth Kit's fls marks it: "name (deleted)"
            byte[] last = name.getLast();
            byte[] marked = java.util.Arrays.copyOf(last, last.length + DELETED.length);
            System.arraycopy(DELETED, 0, marked, last.length, DELETED.length);
            name.set(name.size() - 1, marked);
        }
        TimePrecision p = r.precision();
        return new Bodyfile.Line(r.hashes().getOrDefault("md5", Bodyfile.NOT_HASHED), name, n.symlinkTarget(), r.inode(),
                Bodyfile.modeString(typeChar(n), n.mode()), n.uid(), n.gid(), n.size(), time(n.atime(), p.atime()),
                time(n.mtime(), p.mtime()), time(n.ctime(), p.ctime()), time(n.btime(), p.crtime())).render();
    }

    private static final byte[] DELETED = " (deleted)".getBytes(StandardCharsets.US_ASCII);

    private static Timestamp time(Instant t, int digits) {
        return t == null ? null : new Timestamp(t, digits);
    }

    private static char typeChar(Node n) {
        return switch (n.type()) {
            case FILE -> '-';
            case DIRECTORY -> 'd';
            case SYMLINK -> 'l';
            case CHAR_DEVICE -> 'c';
            case BLOCK_DEVICE -> 'b';
            case FIFO -> 'p';
            case SOCKET -> 's';
        };
    }
}
