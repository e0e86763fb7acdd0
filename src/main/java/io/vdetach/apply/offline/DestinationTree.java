package io.vdetach.apply.offline;

import io.vdetach.apply.offline.ext4.Extent;
import io.vdetach.guestfs.Node;

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


    /** A directory to create. */
    static final class Dir {
        final byte[] name;
        final Dir parent;
        Node meta;
        final Map<String, Object> children = new LinkedHashMap<>(); // name (latin-1) -> Dir or Ino
        long ino;
        int subdirs;

        Dir(byte[] name, Dir parent) {
            this.name = name;
            this.parent = parent;
        }
    }

    /** A non-directory inode, with every name it gets. */
    static final class Ino {
        final OfflineItem item;
        int links;
        long ino;
        final List<Extent> extents = new ArrayList<>();
        final List<long[]> copies = new ArrayList<>(); // {logical, count}
        long dataBlocks;

        Ino(OfflineItem item) { this.item = item; }

        Node node() { return item.node(); }

        OfflineItem item() { return item; }
    }

    static String key(byte[] b) { return new String(b, StandardCharsets.ISO_8859_1); }

    /** Directories in the tree, the root (the destination) included. */
    static long countDirs(Dir d) {
        long n = 1;
        for (Object o : d.children.values()) if (o instanceof Dir sd) n += countDirs(sd);
        return n;
    }

    /**
     * Builds the tree of {@code items}; non-directory inodes go to {@code inodes} (one per node id),
     * and {@code counts} gets files, (unused), symlinks, extra hard-link names and others.
     */
    static Dir build(List<OfflineItem> items, List<Ino> inodes, long[] counts) {
        Dir root = new Dir(new byte[0], null);
        Map<Long, Ino> byId = new HashMap<>();
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
            if (p.length == 0) {
                if (!n.isDirectory()) throw new IllegalArgumentException("the destination itself must be a directory");
                root.meta = n;
                continue;
            }
            Dir d = root;
            for (int i = 0; i < p.length - 1; i++) d = subdir(d, p[i]);
            String k = key(p[p.length - 1]);
            if (n.isDirectory()) {
                Object existing = d.children.get(k);
                if (existing instanceof Dir ed) {
                    if (ed.meta != null) throw new IllegalArgumentException("duplicate name " + k);
                    ed.meta = n;
                } else if (existing != null) {
                    throw new IllegalArgumentException("duplicate name " + k);
                } else {
                    Dir nd = new Dir(p[p.length - 1], d);
                    nd.meta = n;
                    d.children.put(k, nd);
                    d.subdirs++;
                }
                continue;
            }
            if (d.children.containsKey(k)) throw new IllegalArgumentException("duplicate name " + k);
            Ino ino = byId.get(n.id());
            if (ino == null) {
                ino = new Ino(it);
                byId.put(n.id(), ino);
                inodes.add(ino);
            } else {
                counts[3]++;
            }
            ino.links++;
            d.children.put(k, ino);
            switch (n.type()) {
                case FILE -> counts[0]++;
                case SYMLINK -> counts[2]++;
                default -> counts[4]++;
            }
        }
        return root;
    }

    private static Dir subdir(Dir d, byte[] name) {
        Object o = d.children.get(key(name));
        if (o instanceof Dir sd) return sd;
        if (o != null) throw new IllegalArgumentException("a file is used as a directory: " + key(name));
        Dir nd = new Dir(name, d);
        d.children.put(key(name), nd);
        d.subdirs++;
        return nd;
    }

}
