package io.vdetach.apply;

import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Node} in a {@link SpillFile} and back, every field as it was (what {@code detach
 * --streaming} restores after the copy): our own scratch format, fields in record order, a
 * length before each byte string and list, -1 for null.
 */
final class SpilledNode {
    private SpilledNode() {}

    static void write(DataOutputStream o, Node n) throws IOException {
        o.writeLong(n.id());
        o.writeByte(n.type().ordinal());
        o.writeInt(n.mode());
        o.writeLong(n.uid());
        o.writeLong(n.gid());
        o.writeLong(n.size());
        o.writeInt(n.nlink());
        for (Instant t : new Instant[] {n.mtime(), n.atime(), n.ctime(), n.btime()}) instant(o, t);
        bytes(o, n.symlinkTarget());
        o.writeLong(n.rdevMajor());
        o.writeLong(n.rdevMinor());
        o.writeInt(n.xattrs().size());
        for (Xattr x : n.xattrs()) {
            string(o, x.name());
            bytes(o, x.value());
        }
        o.writeInt(n.notes().size());
        for (String s : n.notes()) string(o, s);
        o.writeInt(n.fileAttributes());
    }

    static Node read(DataInputStream in) throws IOException {
        long id = in.readLong();
        EntryType type = EntryType.values()[in.readByte()];
        int mode = in.readInt();
        long uid = in.readLong(), gid = in.readLong(), size = in.readLong();
        int nlink = in.readInt();
        Instant mtime = instant(in), atime = instant(in), ctime = instant(in), btime = instant(in);
        byte[] target = bytes(in);
        long major = in.readLong(), minor = in.readLong();
        int nx = in.readInt();
        List<Xattr> xattrs = new ArrayList<>(nx);
        for (int i = 0; i < nx; i++) xattrs.add(new Xattr(string(in), bytes(in)));
        int nn = in.readInt();
        List<String> notes = new ArrayList<>(nn);
        for (int i = 0; i < nn; i++) notes.add(string(in));
        int attributes = in.readInt();
        return new Node(id, type, mode, uid, gid, size, nlink, mtime, atime, ctime, btime, target, major, minor,
                List.copyOf(xattrs), List.copyOf(notes), attributes);
    }

    static void bytes(DataOutputStream o, byte[] b) throws IOException {
        o.writeInt(b == null ? -1 : b.length);
        if (b != null) o.write(b);
    }

    static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** As its UTF-16 units: any string comes back as it was. */
    private static void string(DataOutputStream o, String s) throws IOException {
        o.writeInt(s.length());
        o.writeChars(s);
    }

    private static String string(DataInputStream in) throws IOException {
        char[] c = new char[in.readInt()];
        for (int i = 0; i < c.length; i++) c[i] = in.readChar();
        return new String(c);
    }

    private static void instant(DataOutputStream o, Instant t) throws IOException {
        o.writeBoolean(t != null);
        if (t == null) return;
        o.writeLong(t.getEpochSecond());
        o.writeInt(t.getNano());
    }

    private static Instant instant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }
}
