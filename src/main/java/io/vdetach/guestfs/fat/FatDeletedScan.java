package io.vdetach.guestfs.fat;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Recovered;
import io.vdetach.guestfs.TreeWalker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The deleted entries of a FAT12/16/32 volume, one directory at a time: every live directory
 * from the root, and every deleted directory whose first cluster is still free and still starts
 * with its "." entry.
 *
 * <p>Deleting frees a file's chain in the FAT (fatgen103 section 4: free clusters read 0) and keeps
 * its 8.3 entry but its first byte, so the data is located by {@link FreeClusters}: the free clusters
 * from the first one on, for the entry's size ({@code clusters possibly reused} when the first one is
 * allocated now). A deleted directory's size field is 0; it is read cluster by cluster from its
 * first one while the clusters are free and the previous one had no end-of-directory entry, up to
 * the largest directory there is. Directory clusters nothing leads to any more are found by the
 * orphan pass.
 */
final class FatDeletedScan implements DeletedEntries {
    private static final String FORMAT = BiosParameterBlock.FORMAT;
    /**
     * Directories (live and deleted) walked at most. The set of those seen (which keeps a cycle
     * from being followed twice) and the queue are bounded by it: some 100 MiB at worst.
     */
    static final int MAX_DIRECTORIES = 1 << 20;

    /** A directory to scan; {@code entryOffset} is its 8.3 entry's offset (-1 for the root). */
    private record Dir(Dir parent, byte[] name, long firstCluster, long entryOffset, boolean deleted, int depth) {
        List<byte[]> path(byte[] leaf) {
            ArrayDeque<byte[]> p = new ArrayDeque<>();
            p.push(leaf);
            for (Dir d = this; d.parent != null; d = d.parent) p.push(d.name);
            return new ArrayList<>(p);
        }
    }

    private final FatFilesystem fs;
    private final Layer volume;
    private final FatLayout layout;
    private final FatTable fat;
    private final OemCodePage cp;
    private final FreeClusters clusters;
    private final ArrayDeque<Dir> pending = new ArrayDeque<>();
    /** First clusters of the directories queued so far: a cycle is not followed twice. */
    private final Set<Long> seen = new HashSet<>();
    /** The deleted entries of the directory scanned last, handed out before the next is read. */
    private final ArrayDeque<Found> ready = new ArrayDeque<>();
    /** Clusters read as part of a deleted directory the walk reached: the orphan pass skips them. */
    private final BitSet read = new BitSet(); // indexed by cluster: FAT32 numbers them in 28 bits
    /** The next cluster the orphan pass looks at, once the walk is done. */
    private long orphanCursor = 2;

    /** A deleted entry found, its content located only when it is handed out. */
    private record Found(Recovered.Place place, List<byte[]> path, FatDirectory.Item item) {}

    FatDeletedScan(FatFilesystem fs, Layer volume, FatLayout layout, FatTable fat, OemCodePage cp) {
        this.fs = fs;
        this.volume = volume;
        this.layout = layout;
        this.fat = fat;
        this.cp = cp;
        this.clusters = new FreeClusters(c -> fat.entry(c) != 0, layout.clusterCount() + 1, budget(layout.clusterCount()));
        pending.add(new Dir(null, null, layout.rootCluster(), -1, false, 0));
        if (layout.type() == FatType.FAT32) seen.add(layout.rootCluster());
    }

    @Override
    public Recovered next() throws IOException {
        while (ready.isEmpty() && !pending.isEmpty()) scan(pending.poll());
        while (ready.isEmpty() && orphanCursor <= layout.clusterCount() + 1) orphans(orphanCursor++);
        Found f = ready.poll();
        return f == null ? null : recovered(f.place, f.path, f.item);
    }

    /**
     * Clusters the scan examines at most to locate deleted data: eight passes over the volume (each
     * deleted file costs about its own clusters and those it skips), at least 2^20.
     */
    static long budget(long clusterCount) {
        return Math.max(1L << 20, 8 * clusterCount);
    }

    /**
     * The orphan pass (as Sleuth Kit's $OrphanFiles): a free cluster the walk did not read that holds
     * directory entries is what is left of a directory nothing leads to any more (the clusters after
     * the first of a deleted directory, or one whose own entry was overwritten). Its deleted entries
     * go to $Orphan, named by their entry's offset.
     */
    private void orphans(long cluster) throws IOException {
        if (read.get((int) cluster) || fat.entry(cluster) != 0) return;
        long at = layout.clusterOffset(cluster);
        int head = volume.readBytes(at, 1).get(0) & 0xff;
        if (head != ShortDirEntry.FREE && head != '.') return;
        ByteBuffer c = volume.readBytes(at, layout.clusterSize());
        if (!DeletedName.looksLikeDirectory(c)) return;
        for (FatDirectory.Item i : FatDirectory.parse(c, x -> at + x, cp).deleted) {
            byte[] id = (i.offset() + "-" + new String(i.name(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            ready.add(new Found(Recovered.Place.ORPHAN, List.of(id), i));
        }
    }

    private void scan(Dir dir) throws IOException {
        FatDirectory d;
        if (dir.parent == null) {
            d = fs.readRoot();
        } else if (dir.deleted) {
            d = readDeleted(dir.firstCluster);
        } else {
            try {
                d = fs.readChain(dir.firstCluster, "directory at entry offset " + dir.entryOffset, dir.entryOffset);
            } catch (CorruptImageException e) {
                return; // a damaged live directory: listing the live tree reports it; its deleted entries are lost
            }
        }
        for (FatDirectory.Item i : d.items) {
            if (i.entry().isDirectory()) enqueue(dir, i, false);
        }
        for (FatDirectory.Item i : d.deleted) {
            ready.add(new Found(Recovered.Place.DELETED, dir.path(i.name()), i));
            if (i.entry().isDirectory() && walkable(i.entry())) enqueue(dir, i, true);
        }
    }

    private void enqueue(Dir parent, FatDirectory.Item i, boolean deleted) {
        long first = i.entry().firstCluster(layout.type());
        if (!layout.validCluster(first) || parent.depth + 1 >= TreeWalker.MAX_DEPTH || !seen.add(first)) return;
        if (seen.size() > MAX_DIRECTORIES) {
            throw new UnsupportedImageException(FORMAT, "more than " + MAX_DIRECTORIES
                    + " directories: the scan for deleted entries stops there");
        }
        pending.add(new Dir(parent, i.name(), first, i.offset(), deleted, parent.depth + 1));
    }

    private Recovered recovered(Recovered.Place place, List<byte[]> path, FatDirectory.Item i) throws IOException {
        ShortDirEntry e = i.entry();
        Node node = fs.nodeOf(i.offset(), e);
        long first = e.firstCluster(layout.type());
        if (e.isDirectory()) {
            Recovered.Recovery how = !layout.validCluster(first) ? Recovered.Recovery.NAMES_ONLY
                    : fat.entry(first) != 0 ? Recovered.Recovery.CLUSTERS_POSSIBLY_REUSED : Recovered.Recovery.METADATA_INTACT;
            return new Recovered(place, path, node, how, null, List.of());
        }
        long size = e.fileSize();
        FreeClusters.Found found = clusters.find(first, Math.ceilDiv(size, layout.clusterSize()));
        if (found == null) { // its clusters would run off the data region (or the budget is spent): only the entry survives
            if (clusters.exhausted()) node = node.withNote("content not located: the scan examined " + budget(layout.clusterCount())
                    + " clusters, its limit");
            return new Recovered(place, path, node, Recovered.Recovery.NAMES_ONLY, null, List.of());
        }
        Layer content = fs.layer(found.runs(), size, "fat deleted file at entry offset " + i.offset());
        return new Recovered(place, path, node, found.reused() ? Recovered.Recovery.CLUSTERS_POSSIBLY_REUSED
                : Recovered.Recovery.METADATA_INTACT, content, List.of());
    }


    /** A deleted directory is walked when its first cluster is free and still starts with its own "." entry. */
    private boolean walkable(ShortDirEntry e) throws IOException {
        long first = e.firstCluster(layout.type());
        if (!layout.validCluster(first) || fat.entry(first) != 0) return false;
        ShortDirEntry dot = ShortDirEntry.parse(volume.readBytes(layout.clusterOffset(first), ShortDirEntry.SIZE), 0);
        return dot.isDirectory() && dot.isDotEntry() && dot.name()[1] == ' ' && dot.firstCluster(layout.type()) == first;
    }

    /**
     * A deleted directory's entries: its clusters from {@code first} on while they are free, until one
     * holds the end-of-directory entry or the largest directory's size (fatgen103 section 6) is reached.
     */
    private FatDirectory readDeleted(long first) throws IOException {
        int cs = layout.clusterSize();
        long max = Math.max(1, FatDirectory.MAX_BYTES / cs);
        long n = 0;
        while (n < max && layout.validCluster(first + n) && (n == 0 || fat.entry(first + n) == 0)) {
            ByteBuffer c = volume.readBytes(layout.clusterOffset(first + n), cs);
            read.set((int) (first + n));
            n++;
            if (hasEnd(c)) break;
        }
        long base = layout.clusterOffset(first);
        ByteBuffer all = volume.readBytes(base, (int) (n * cs));
        return FatDirectory.parse(all, at -> base + at, cp);
    }

    private static boolean hasEnd(ByteBuffer cluster) {
        for (int at = 0; at < cluster.limit(); at += ShortDirEntry.SIZE) if (cluster.get(at) == 0) return true;
        return false;
    }
}
