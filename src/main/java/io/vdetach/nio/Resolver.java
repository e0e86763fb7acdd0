package io.vdetach.nio;

import io.vdetach.api.Entry;
import io.vdetach.api.GuestVolume;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Finds the entry a path names, as a kernel would: ".." goes to the real parent, symlinks in the
 * middle of a path are followed, the last one only when asked. A symlink's target is read inside its
 * volume: an absolute target starts at the volume's root, and ".." never leaves it (a guest symlink
 * cannot reach another volume or the host). {@code file:stream} names an NTFS named stream.
 */
final class Resolver {
    /** Linux's MAXSYMLINKS: links followed while resolving one path. */
    static final int MAX_LINKS = 40;

    private final GuestFileSystem fs;

    Resolver(GuestFileSystem fs) {
        this.fs = fs;
    }

    /** The entry {@code p} names; null for the image's root (the directory of volumes). */
    Entry resolve(GuestPath p, boolean followLast) throws IOException {
        Entry cached = p.entry();
        if (cached != null && (!followLast || !cached.isSymbolicLink())) return cached;
        Deque<Entry> dirs = new ArrayDeque<>();
        GuestVolume single = fs.singleVolume();
        if (single != null) dirs.push(single.root());
        // names still to walk: String from the path, byte[] from a symlink's target
        Deque<Object> pending = new ArrayDeque<>();
        for (String n : ((GuestPath) p.toAbsolutePath()).names()) if (!n.isEmpty()) pending.add(n);
        int links = 0;
        while (!pending.isEmpty()) {
            Object name = pending.poll();
            boolean last = pending.isEmpty();
            if (isDot(name)) continue;
            if (isDotDot(name)) {
                // from a volume's root, a path's ".." goes to the image's root; a link's stays
                int floor = single != null || name instanceof byte[] ? 1 : 0;
                if (dirs.size() > floor) dirs.pop();
                continue;
            }
            if (dirs.isEmpty()) {
                GuestVolume v = fs.volume((String) name);
                if (v == null) throw new NoSuchFileException(p.toString(), null, "no volume " + name + " in " + fs.image().path());
                dirs.push(v.root());
                continue;
            }
            Entry dir = dirs.peek();
            if (!dir.isDirectory()) throw new FileSystemException(p.toString(), null, "Not a directory");
            Optional<Entry> child = name instanceof String s ? dir.child(s) : dir.child((byte[]) name);
            if (child.isEmpty() && last && name instanceof String s && s.indexOf(':') > 0) child = stream(dir, s);
            if (child.isEmpty()) throw new NoSuchFileException(p.toString());
            Entry c = child.get();
            if (c.isSymbolicLink() && (!last || followLast)) {
                if (++links > MAX_LINKS) throw new FileSystemException(p.toString(), null, "Too many levels of symbolic links");
                expand(c.symlinkTargetBytes(), dirs, pending, p);
            } else {
                dirs.push(c);
            }
        }
        return dirs.peek();
    }

    /** Puts a symlink's target in front of the names still to walk; an absolute one restarts at the volume's root. */
    private static void expand(byte[] target, Deque<Entry> dirs, Deque<Object> pending, GuestPath p) throws NoSuchFileException {
        if (target.length == 0) throw new NoSuchFileException(p.toString(), null, "a symlink with an empty target");
        if (target[0] == '/') {
            while (dirs.size() > 1) dirs.pop();
        }
        Deque<Object> names = new ArrayDeque<>();
        int start = 0;
        for (int i = 0; i <= target.length; i++) {
            if (i == target.length || target[i] == '/') {
                if (i > start) names.add(java.util.Arrays.copyOfRange(target, start, i));
                start = i + 1;
            }
        }
        while (!names.isEmpty()) pending.push(names.pollLast());
    }

    /** "file:stream": the named stream of the file before the first ':'. */
    private static Optional<Entry> stream(Entry dir, String name) throws IOException {
        int colon = name.indexOf(':');
        Optional<Entry> file = dir.child(name.substring(0, colon));
        if (file.isEmpty()) return file;
        return file.get().stream(name.substring(colon + 1));
    }

    private static boolean isDot(Object n) {
        return n instanceof String s ? s.equals(".") : ((byte[]) n).length == 1 && ((byte[]) n)[0] == '.';
    }

    private static boolean isDotDot(Object n) {
        return n instanceof String s ? s.equals("..") : ((byte[]) n).length == 2 && ((byte[]) n)[0] == '.' && ((byte[]) n)[1] == '.';
    }
}
