package io.vdetach.guestfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A filesystem's recovered entries ({@link GuestFilesystem#deleted}) presented as a tree, so the
 * walker and the extraction machinery handle them like any other: the root is the filesystem's
 * own root holding only {@code $Deleted/} (original paths rebuilt) and {@code $Orphan/}; every
 * entry below is one of the recovered ones, or a directory of a rebuilt path. Nothing of the live
 * tree is listed. Entries get ids of their own (the recovered node's id is kept for
 * {@link #inodeLabel}); a recovered entry has one link (never a hard link of anything).
 */
public final class RecoveredTree implements GuestFilesystem {
    /**
     * Recovered entries held per volume: the tree is built in memory (paths arrive in MFT / inode
     * order, not tree order). A million is far beyond what the corpus and real cases show; more is
     * refused with a warning rather than risking the heap.
     */
    public static final int MAX_ENTRIES = 1 << 20;

    /** Ids of this tree's entries start here (no filesystem gives such ids), in the order they arrived. */
    private static final long FIRST_ID = Long.MIN_VALUE;

    private final GuestFilesystem fs;
    private final Node root;
    private final List<String> notices = new ArrayList<>();
    private final Map<Long, Item> items = new HashMap<>();
    private final Map<Long, Map<String, Long>> directories = new HashMap<>();
    private final Map<Long, List<DirEntry>> children = new HashMap<>();
    private long nextId = FIRST_ID;
    private int recoveredCount;

    /** One entry of the tree: a recovered one ({@code recovered} non-null) or a directory of a rebuilt path. */
    private record Item(Node node, Recovered recovered) {}

    private RecoveredTree(GuestFilesystem fs) throws IOException {
        this.fs = fs;
        this.root = fs.node(fs.rootId());
        children.put(root.id(), new ArrayList<>());
        directories.put(root.id(), new LinkedHashMap<>());
    }

    /**
     * The recovered entries of {@code fs}, read to the end (at most {@link #MAX_ENTRIES}). A
     * filesystem that cannot tell gives an empty tree whose {@link #notices} say so.
     */
    public static RecoveredTree of(GuestFilesystem fs) throws IOException {
        RecoveredTree t = new RecoveredTree(fs);
        var entries = fs.deleted();
        if (entries.isEmpty()) {
            t.notices.add("--deleted: not supported for " + fs.type());
            return t;
        }
        DeletedEntries it = entries.get();
        while (true) {
            Recovered r;
            try {
                r = it.next();
            } catch (VdetachException e) {
                // one damaged entry: the scanner has moved past it
                if (t.problems.size() < MAX_PROBLEMS) t.problems.add(e);
                else t.problemsDropped++;
                continue;
            }
            if (r == null) break;
            if (t.recoveredCount == MAX_ENTRIES) {
                t.notices.add("--deleted: more than " + MAX_ENTRIES + " recovered entries; the rest are not listed");
                break;
            }
            t.add(r);
        }
        if (t.problemsDropped > 0) t.notices.add("--deleted: " + t.problemsDropped + " more damaged entries not listed one by one");
        return t;
    }

    /** Damaged entries kept one by one; more are counted. */
    private static final int MAX_PROBLEMS = 1000;
    private final List<VdetachException> problems = new ArrayList<>();
    private long problemsDropped;

    /** Entries the scan met damaged (each an error of the run); the scan went on past them. */
    public List<VdetachException> problems() { return List.copyOf(problems); }

    /** What the user should know about the scan (not supported, entries left out). */
    public List<String> notices() { return List.copyOf(notices); }

    /** Entries recovered (not counting the directories of rebuilt paths). */
    public int recoveredCount() { return recoveredCount; }

    /** The recovered entry behind {@code node}, or null for a directory of a rebuilt path (or the root). */
    public Recovered recovered(Node node) {
        Item i = items.get(node.id());
        return i == null ? null : i.recovered;
    }

    /** Whether {@code node} is below {@code $Deleted/} or {@code $Orphan/} (everything of this tree but its root). */
    public boolean isRecoveredPart(Node node) {
        return isRecoveredPart(node.id());
    }

    /** Whether {@code id} names an entry below {@code $Deleted/} or {@code $Orphan/}. */
    public boolean isRecoveredPart(long id) {
        return items.containsKey(id);
    }

    private void add(Recovered r) {
        recoveredCount++;
        long dir = directory(root.id(), r.place().dirName().getBytes(StandardCharsets.UTF_8));
        List<byte[]> path = r.path();
        for (int i = 0; i < path.size() - 1; i++) dir = directory(dir, path.get(i));
        byte[] name = path.getLast();
        Node n = r.node();
        if (n.isDirectory()) {
            // a deleted directory: its own node for the path's directory (files below may have come first)
            long id = directory(dir, name);
            items.put(id, new Item(renumber(n, id, 0), r));
            return;
        }
        long id = nextId++;
        long size = r.content() == null ? 0 : r.content().size();
        items.put(id, new Item(renumber(n, id, size), r));
        children.get(dir).add(new DirEntry(name, id));
    }

    /** The directory {@code name} in {@code parent}, made (a directory of a rebuilt path) when not there yet. */
    private long directory(long parent, byte[] name) {
        String key = new String(name, StandardCharsets.ISO_8859_1);
        Long id = directories.get(parent).get(key);
        if (id != null) return id;
        long made = nextId++;
        directories.get(parent).put(key, made);
        directories.put(made, new LinkedHashMap<>());
        children.put(made, new ArrayList<>());
        children.get(parent).add(new DirEntry(name, made));
        items.put(made, new Item(new Node(made, EntryType.DIRECTORY, 0755, root.uid(), root.gid(), 0, 2, root.mtime(),
                root.atime(), root.ctime(), root.btime(), null, 0, 0, List.of(), List.of(), -1), null));
        return made;
    }

    /** {@code n} under this tree's id, with one link; {@code size}: what its content holds (0 when only names survive). */
    private static Node renumber(Node n, long id, long size) {
        List<String> notes = n.notes();
        if (size != n.size() && n.type() == EntryType.FILE) {
            notes = new ArrayList<>(notes);
            notes.add("names only: " + n.size() + " bytes of content not recovered (written empty)");
        }
        return new Node(id, n.type(), n.mode(), n.uid(), n.gid(), n.isDirectory() ? n.size() : size, 1, n.mtime(), n.atime(),
                n.ctime(), n.btime(), n.symlinkTarget(), n.rdevMajor(), n.rdevMinor(), n.xattrs(), notes, n.fileAttributes());
    }

    private Item item(Node node) throws IOException {
        Item i = items.get(node.id());
        if (i == null) throw new CorruptImageException(fs.type(), "recovered entries", -1, "no recovered entry " + node.id());
        return i;
    }

    @Override public String type() { return fs.type(); }
    @Override public String label() { return fs.label(); }
    @Override public int blockSize() { return fs.blockSize(); }
    @Override public TimePrecision timePrecision() { return fs.timePrecision(); }
    @Override public List<String> warnings() { return List.of(); }
    @Override public long rootId() { return root.id(); }

    @Override
    public Node node(long id) throws IOException {
        if (id == root.id()) return root;
        Item i = items.get(id);
        if (i == null) throw new CorruptImageException(fs.type(), "recovered entries", -1, "no recovered entry " + id);
        return i.node;
    }

    @Override
    public List<DirEntry> list(Node directory) {
        return List.copyOf(children.getOrDefault(directory.id(), List.of()));
    }

    @Override
    public String inodeLabel(Node node) throws IOException {
        if (node.id() == root.id()) return fs.inodeLabel(root);
        Recovered r = items.containsKey(node.id()) ? items.get(node.id()).recovered : null;
        return r == null ? null : fs.inodeLabel(r.node());
    }

    @Override
    public Layer content(Node file) throws IOException {
        Recovered r = item(file).recovered;
        return r == null || r.content() == null ? EMPTY : r.content();
    }

    @Override
    public List<NamedStream> namedStreams(Node file) throws IOException {
        Recovered r = item(file).recovered;
        return r == null ? List.of() : r.streams();
    }

    @Override
    public List<NamedStream> largeStreams(Node file) throws IOException {
        List<NamedStream> out = new ArrayList<>();
        for (NamedStream s : namedStreams(file)) if (s.content().size() > MAX_XATTR_VALUE) out.add(s);
        return out;
    }

    /** Linux refuses xattr values above 64 KiB (XATTR_SIZE_MAX): recovered streams larger than that are files of their own. */
    public static final int MAX_XATTR_VALUE = 65536;

    /** The content of an entry of which only the name and metadata survive. */
    private static final Layer EMPTY = new Layer() {
        @Override public long size() { return 0; }
        @Override public int read(long offset, ByteBuffer dst) { return 0; }
        @Override public List<Run> map(long offset, long length) { return List.of(); }
        @Override public String describe() { return "recovered entry without content"; }
    };
}
