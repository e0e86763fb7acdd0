package io.vdetach.guestfs;

import io.vdetach.error.VdetachException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Depth-first walk of a guest filesystem without recursion (a hostile image can be deep),
 * detecting directory cycles and directories reached twice. Errors of one entry are handed
 * to the visitor and the walk goes on.
 */
public final class TreeWalker {
    /** Deeper trees than this cannot be recreated on Linux anyway (PATH_MAX is 4096 bytes). */
    public static final int MAX_DEPTH = 2048;

    public interface Visitor {
        /** A directory about to be entered; false skips its subtree (and its leave call). */
        boolean enter(List<byte[]> path, Node dir) throws IOException;

        /** All entries of the directory at {@code path} have been visited. */
        void leave(List<byte[]> path, Node dir) throws IOException;

        /** A non-directory entry. */
        void entry(List<byte[]> path, Node node) throws IOException;

        /** An entry that could not be read; {@code path} names it. */
        void error(List<byte[]> path, String reason);
    }

    /**
     * Entries of a directory taken from its stream per chunk of this many, each chunk sorted by id:
     * a directory's entries are never all held at once, whatever their number.
     */
    static final int CHUNK = 1 << 16;

    /** A directory being walked: its entry stream and the sorted chunk being visited. */
    private static final class Frame {
        final List<byte[]> path;
        final Node dir;
        final GuestFilesystem.Entries stream;
        Iterator<DirEntry> chunk;
        boolean ended;

        Frame(List<byte[]> path, Node dir, GuestFilesystem.Entries stream) {
            this.path = path;
            this.dir = dir;
            this.stream = stream;
        }

        /** The next entry, reading the next chunk when this one is done; null after the last (or a failure, reported). */
        DirEntry next(Visitor v) {
            while (chunk == null || !chunk.hasNext()) {
                if (ended) return null;
                List<DirEntry> entries = new ArrayList<>();
                try {
                    for (DirEntry e; entries.size() < CHUNK && (e = stream.next()) != null; ) entries.add(e);
                } catch (VdetachException | IOException ex) {
                    v.error(path, ex.getMessage());
                    ended = true;
                }
                if (entries.size() < CHUNK) ended = true;
                // In id order (inode or MFT record number): the order files were allocated in, so the
                // data is read mostly front to back instead of in hash order (ext4 htree, NTFS $I30).
                entries.sort(java.util.Comparator.comparingLong(DirEntry::id));
                chunk = entries.iterator();
            }
            return chunk.next();
        }
    }

    public static void walk(GuestFilesystem fs, Visitor v) throws IOException {
        Node root = fs.node(fs.rootId());
        walk(fs, root, List.of(), v);
    }

    /** Walks the subtree of {@code start}, whose path is {@code startPath}. */
    public static void walk(GuestFilesystem fs, Node start, List<byte[]> startPath, Visitor v) throws IOException {
        Set<Long> directoriesSeen = new HashSet<>();
        Deque<Frame> stack = new ArrayDeque<>();
        if (!start.isDirectory()) {
            v.entry(startPath, start);
            return;
        }
        directoriesSeen.add(start.id());
        if (!v.enter(startPath, start)) return;
        Frame first = open(fs, startPath, start, v);
        if (first == null) {
            v.leave(startPath, start);
            return;
        }
        stack.push(first);
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            DirEntry e = f.next(v);
            if (e == null) {
                stack.pop();
                v.leave(f.path, f.dir);
                continue;
            }
            List<byte[]> path = append(f.path, e.name());
            Node n;
            try {
                n = fs.node(e.id());
            } catch (VdetachException | IOException ex) {
                v.error(path, ex.getMessage());
                continue;
            }
            if (!n.isDirectory()) {
                v.entry(path, n);
                continue;
            }
            if (!directoriesSeen.add(n.id())) {
                v.error(path, "directory " + n.id() + " is reached a second time (a directory cycle or a directory hard link): not followed");
                continue;
            }
            if (stack.size() >= MAX_DEPTH) {
                v.error(path, "deeper than " + MAX_DEPTH + " levels: not followed");
                continue;
            }
            if (!v.enter(path, n)) continue;
            Frame child = open(fs, path, n, v);
            if (child == null) v.leave(path, n);
            else stack.push(child);
        }
    }

    private static Frame open(GuestFilesystem fs, List<byte[]> path, Node dir, Visitor v) {
        try {
            return new Frame(path, dir, fs.entries(dir));
        } catch (VdetachException | IOException ex) {
            v.error(path, ex.getMessage());
            return null;
        }
    }

    private static List<byte[]> append(List<byte[]> path, byte[] name) {
        List<byte[]> p = new ArrayList<>(path.size() + 1);
        p.addAll(path);
        p.add(name);
        return p;
    }

    /** A path for messages: components joined by '/', bytes decoded as UTF-8 leniently. */
    public static String display(List<byte[]> path) {
        return path.stream().map(c -> new String(c, StandardCharsets.UTF_8)).collect(Collectors.joining("/"));
    }
}
