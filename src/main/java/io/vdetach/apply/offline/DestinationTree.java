package io.vdetach.apply.offline;

import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.ext.codec.Ext4Extent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tree the items describe: directories with their children by name, and the non-directory
 * inodes with every name they get (hard links share one {@link Ino}). Names are kept as
 * ISO-8859-1 strings so any byte survives as a map key.
 */
final class DestinationTree {
    private DestinationTree() {}

    /** A name in a directory: a directory to create or a non-directory inode. */
    sealed interface Entry permits Dir, Ino {}

    /** A directory to create; {@code meta} null when no item gave its metadata (it gets 0755 and the time of the run). */
    record Dir(Node meta, Map<String, Entry> children) implements Entry {
        long subdirs() { return children.values().stream().filter(e -> e instanceof Dir).count(); }
    }

    /**
     * A non-directory inode: the first item that names it, how many names it gets, and its data
     * blocks as the writer plans them (donated and copied extents, runs still to copy).
     */
    record Ino(OfflineItem item, int links, List<Ext4Extent> extents, List<CopyRun> copies) implements Entry {
        Node node() { return item.node(); }

        /** Data blocks the file owns. */
        long dataBlocks() { return extents.stream().mapToLong(Ext4Extent::length).sum(); }
    }

    /** {@code count} blocks of a file from block {@code logical} that are copied, not donated. */
    record CopyRun(long logical, long count) {}

    /** What the items make: names beyond an inode's first count as hard links; others are fifos, sockets, devices. */
    record Counts(long files, long directories, long symlinks, long hardlinks, long others) {}

    record Tree(Dir root, List<Ino> inodes, Counts counts) {}

    static String key(byte[] b) { return new String(b, StandardCharsets.ISO_8859_1); }

    private static String pathKey(byte[][] p, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append('/').append(key(p[i]));
        return b.toString();
    }

    /** Builds the tree of {@code items}; non-directory inodes come once each, in the order of their first item. */
    static Tree build(List<OfflineItem> items) {
        // first the directories' metadata and every inode's names, so the records are made whole
        Map<String, Node> dirMeta = new HashMap<>();
        Map<Long, Integer> links = new HashMap<>();
        for (OfflineItem it : items) {
            Node n = it.node();
            if (n == null) throw new IllegalArgumentException("item without node");
            byte[][] p = it.path();
            for (byte[] c : p) {
                if (c.length == 0 || c.length > 255 || (c.length == 1 && c[0] == '.') || (c.length == 2 && c[0] == '.' && c[1] == '.')) {
                    throw new IllegalArgumentException("bad name component: " + key(c));
                }
                for (byte x : c) if (x == 0 || x == '/') throw new IllegalArgumentException("name with NUL or '/': " + key(c));
            }
            if (n.isDirectory()) {
                if (dirMeta.put(pathKey(p, p.length), n) != null) throw new IllegalArgumentException("duplicate name " + pathKey(p, p.length));
            } else if (p.length == 0) {
                throw new IllegalArgumentException("the destination itself must be a directory");
            } else {
                links.merge(n.id(), 1, Integer::sum);
            }
        }
        Dir root = new Dir(dirMeta.get(""), new LinkedHashMap<>());
        Map<Long, Ino> byId = new HashMap<>();
        List<Ino> inodes = new ArrayList<>();
        long files = 0, symlinks = 0, hardlinks = 0, others = 0;
        for (OfflineItem it : items) {
            byte[][] p = it.path();
            if (p.length == 0) continue;
            Dir d = root;
            for (int i = 0; i < p.length - 1; i++) d = subdir(d, p, i + 1, dirMeta);
            String k = key(p[p.length - 1]);
            Node n = it.node();
            if (n.isDirectory()) {
                subdir(d, p, p.length, dirMeta);
                continue;
            }
            if (d.children().containsKey(k)) throw new IllegalArgumentException("duplicate name " + k);
            Ino ino = byId.get(n.id());
            if (ino == null) {
                ino = new Ino(it, links.get(n.id()), new ArrayList<>(), new ArrayList<>());
                byId.put(n.id(), ino);
                inodes.add(ino);
            } else {
                hardlinks++;
            }
            d.children().put(k, ino);
            switch (n.type()) {
                case FILE -> files++;
                case SYMLINK -> symlinks++;
                default -> others++;
            }
        }
        return new Tree(root, inodes, new Counts(files, countDirs(root), symlinks, hardlinks, others));
    }

    /** The directory {@code p[0..n)} under {@code d}'s {@code p[n - 1]}, made when first named. */
    private static Dir subdir(Dir d, byte[][] p, int n, Map<String, Node> dirMeta) {
        String k = key(p[n - 1]);
        Entry e = d.children().get(k);
        if (e instanceof Dir sd) return sd;
        if (e != null) throw new IllegalArgumentException("a file is used as a directory: " + k);
        Dir nd = new Dir(dirMeta.get(pathKey(p, n)), new LinkedHashMap<>());
        d.children().put(k, nd);
        return nd;
    }

    /** Directories in the tree, the root (the destination) included. */
    private static long countDirs(Dir d) {
        long n = 1;
        for (Entry e : d.children().values()) if (e instanceof Dir sd) n += countDirs(sd);
        return n;
    }
}
