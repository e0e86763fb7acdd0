package io.vdetach.guestfs.exfat;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.RunTable;
import io.vdetach.extent.RunTableLayer;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Recovered;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.guestfs.fat.ChainRuns;
import io.vdetach.guestfs.fat.FreeClusters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The deleted entry sets of an exFAT volume, one directory at a time: every live directory from
 * the root, and every deleted directory whose clusters the allocation bitmap shows free.
 *
 * <p>Deleting clears the in-use bit of each entry of the set (section 6.2.1.4: File 0x85 becomes
 * 0x05, Stream Extension 0xC0 0x40, File Name 0xC1 0x41) and the allocation bitmap's bits of its
 * clusters (section 7.1); the Stream Extension keeps the first cluster, the lengths and the
 * NoFatChain flag. So a NoFatChain file is exact ("clusters possibly reused" when the bitmap shows
 * any of its clusters in use now); a FAT-chained one is read along its FAT chain when that chain is
 * still whole, ends where the length says and is free now, else located by {@link FreeClusters} as
 * on FAT (exfat-fuse zeroes the chain on delete, measured).
 * A set whose SetChecksum no longer matches (with the in-use bits restored) gives its name only.
 */
final class ExfatDeletedScan implements DeletedEntries {
    private static final String FORMAT = ExfatBootSector.FORMAT;
    /** Directories (live and deleted) walked at most: bounds the set of those seen (a cycle is not followed twice) and the queue. */
    static final int MAX_DIRECTORIES = 1 << 20;

    /** A directory to scan: {@code set} is its entry set (null for the root). */
    private record Dir(Dir parent, EntrySet set, boolean deleted, int depth) {
        List<byte[]> path(EntrySet leaf) {
            ArrayDeque<byte[]> p = new ArrayDeque<>();
            p.push(leaf.name().getBytes(StandardCharsets.UTF_8));
            for (Dir d = this; d.parent != null; d = d.parent) p.push(d.set.name().getBytes(StandardCharsets.UTF_8));
            return new ArrayList<>(p);
        }
    }

    private final ExfatFilesystem fs;
    private final ExfatFat fat;
    /** The allocation bitmap (section 7.1): bit n set when cluster n + 2 is in use. */
    private final Layer bitmap;
    private final UpcaseTable upcase;
    private final int clusterSize;
    private final ArrayDeque<Dir> pending = new ArrayDeque<>();
    private final Set<Long> seen = new HashSet<>();
    /** A deleted set found, its content located only when it is handed out. */
    private record Found(Recovered.Place place, List<byte[]> path, EntrySet set) {}

    /** The deleted sets of the directory scanned last, handed out before the next is read. */
    private final ArrayDeque<Found> ready = new ArrayDeque<>();
    private final FreeClusters free;

    ExfatDeletedScan(ExfatFilesystem fs, ExfatFat fat, Layer bitmap, UpcaseTable upcase, int clusterSize) {
        this.fs = fs;
        this.fat = fat;
        this.bitmap = bitmap;
        this.upcase = upcase;
        this.clusterSize = clusterSize;
        this.free = new FreeClusters(this::inUse, fat.clusterCount() + 1, budget(fat.clusterCount()));
        pending.add(new Dir(null, null, false, 0));
    }

    /**
     * Clusters read as part of a deleted directory the walk reached, as disjoint runs (first -> count):
     * the orphan pass skips them. Runs, not a set of clusters: memory follows the directories, not the heap.
     */
    private final TreeMap<Long, Long> read = new TreeMap<>();
    /** The next cluster the orphan pass looks at, once the walk is done. */
    private long orphanCursor = 2;

    @Override
    public Recovered next() throws IOException {
        while (ready.isEmpty() && !pending.isEmpty()) scan(pending.poll());
        while (ready.isEmpty() && orphanCursor <= fat.clusterCount() + 1) orphans(orphanCursor++);
        Found f = ready.poll();
        return f == null ? null : recovered(f.place, f.path, f.set);
    }

    /** Clusters the scan examines at most to locate deleted data: eight passes over the volume, at least 2^20. */
    static long budget(long clusterCount) {
        return Math.max(1L << 20, 8 * clusterCount);
    }

    /**
     * The orphan pass (as Sleuth Kit's $OrphanFiles): a free cluster the walk did not read that holds
     * deleted entry sets whose SetChecksum holds is what is left of a directory nothing leads to any
     * more (a deleted directory's clusters past those its entry still reaches). Its sets go to
     * $Orphan, named by their File entry's offset; a set cut by the cluster's end is not taken.
     */
    private void orphans(long cluster) throws IOException {
        if (inUse(cluster) || wasRead(cluster)) return;
        int head = fs.volumeByte(fs.clusterOffset(cluster));
        if (head != 0x05 && head != 0x40 && head != 0x41) return; // a deleted entry: File, Stream Extension, File Name
        List<ChainRuns.ClusterRun> one = List.of(new ChainRuns.ClusterRun(cluster, 1));
        ExfatDirectory d = ExfatDirectory.read(new RunTableLayer(fs.table(one, clusterSize, clusterSize),
                "exfat free cluster " + cluster), upcase, true);
        for (EntrySet s : d.deleted) {
            if (s.error() != null) continue;
            byte[] id = (s.offset() + "-" + s.name()).getBytes(StandardCharsets.UTF_8);
            ready.add(new Found(Recovered.Place.ORPHAN, List.of(id), s));
        }
    }

    private void scan(Dir dir) throws IOException {
        ExfatDirectory d;
        if (dir.parent == null) {
            d = fs.readRootWithDeleted();
        } else {
            EntrySet s = dir.set;
            StreamExtensionEntry st = s.stream();
            String what = (dir.deleted ? "deleted directory \"" : "directory \"") + s.name() + "\"";
            try {
                long len = st.dataLength() & ~31L; // whole entries only
                List<ChainRuns.ClusterRun> runs = null;
                if (dir.deleted) {
                    FreeClusters.Found found = clusters(s, len);
                    if (found == null || found.reused()) return; // its clusters are another's now: not walked
                    runs = found.runs();
                }
                if (runs != null) for (ChainRuns.ClusterRun r : runs) markRead(r.first(), r.count());
                RunTable t = dir.deleted ? fs.table(runs, len, len)
                        : fs.fileRuns(st.firstCluster(), len, len, st.noFatChain(), what, s.offset());
                d = ExfatDirectory.read(new RunTableLayer(t, "exfat " + what), upcase, true);
            } catch (CorruptImageException e) {
                return; // a damaged live directory: listing the live tree reports it; its deleted entries are lost
            }
        }
        for (EntrySet s : d.sets) {
            if (s.error() == null && s.file().isDirectory()) enqueue(dir, s, false);
        }
        for (EntrySet s : d.deleted) {
            ready.add(new Found(Recovered.Place.DELETED, dir.path(s), s));
            if (s.error() == null && s.file().isDirectory()) enqueue(dir, s, true);
        }
    }

    private void enqueue(Dir parent, EntrySet s, boolean deleted) {
        long first = s.stream().firstCluster();
        if (!fat.valid(first) || s.stream().dataLength() < 32 || parent.depth + 1 >= TreeWalker.MAX_DEPTH || !seen.add(first)) {
            return;
        }
        if (seen.size() > MAX_DIRECTORIES) {
            throw new UnsupportedImageException(FORMAT, "more than " + MAX_DIRECTORIES
                    + " directories: the scan for deleted entries stops there");
        }
        pending.add(new Dir(parent, s, deleted, parent.depth + 1));
    }

    private Recovered recovered(Recovered.Place place, List<byte[]> path, EntrySet s) throws IOException {
        Node node = fs.nodeOf(s);
        if (s.error() != null) {
            node = node.withNote("entry set damaged (" + s.error().getMessage() + "): its name only");
            return new Recovered(place, path, node, Recovered.Recovery.NAMES_ONLY, null, List.of());
        }
        StreamExtensionEntry st = s.stream();
        boolean isDir = s.file().isDirectory();
        long mapped = isDir ? st.dataLength() : st.validDataLength();
        FreeClusters.Found found = clusters(s, mapped);
        Recovered.Recovery how = found == null ? Recovered.Recovery.NAMES_ONLY
                : found.reused() ? Recovered.Recovery.CLUSTERS_POSSIBLY_REUSED : Recovered.Recovery.METADATA_INTACT;
        if (found == null && free.exhausted()) {
            node = node.withNote("content not located: the scan examined " + budget(fat.clusterCount()) + " clusters, its limit");
        }
        Layer content = isDir || found == null ? null : new RunTableLayer(fs.table(found.runs(), st.dataLength(), mapped),
                "exfat deleted file at entry offset " + s.offset());
        return new Recovered(place, path, node, how, content, List.of());
    }

    /**
     * The clusters holding the set's first {@code bytes} bytes: NoFatChain, exactly those from the
     * first; else its FAT chain when that is still whole, ends there and is free now, else as
     * {@link FreeClusters} finds them. Null when they cannot be located.
     */
    private FreeClusters.Found clusters(EntrySet s, long bytes) throws IOException {
        long first = s.stream().firstCluster();
        long count = Math.ceilDiv(bytes, clusterSize);
        if (s.stream().noFatChain()) return free.contiguous(first, count);
        if (count > 0 && fat.valid(first) && count <= fat.clusterCount() && free.charge(count)) {
            try {
                List<ChainRuns.ClusterRun> chain = fat.chain(first, count, count, "deleted \"" + s.name() + "\"", s.offset());
                ChainRuns.ClusterRun last = chain.getLast();
                if (fat.isEndOfChain(fat.entry(last.first() + last.count() - 1)) && !anyInUse(chain)) {
                    return new FreeClusters.Found(chain, false);
                }
            } catch (CorruptImageException e) {
                // the chain is broken: drivers zero it on delete (exfat-fuse does)
            }
        }
        return free.find(first, count);
    }


    private boolean anyInUse(List<ChainRuns.ClusterRun> runs) throws IOException {
        for (ChainRuns.ClusterRun r : runs) {
            for (long c = r.first(); c < r.first() + r.count(); c++) if (inUse(c)) return true;
        }
        return false;
    }

    private boolean wasRead(long cluster) {
        var e = read.floorEntry(cluster);
        return e != null && cluster < e.getKey() + e.getValue();
    }

    /** Adds {@code [first, first + count)} to {@link #read}, merged with the runs it touches so they stay disjoint. */
    private void markRead(long first, long count) {
        long start = first, end = first + count;
        var below = read.floorEntry(start);
        if (below != null && below.getKey() + below.getValue() >= start) {
            start = below.getKey();
            end = Math.max(end, below.getKey() + below.getValue());
        }
        for (var e = read.ceilingEntry(start); e != null && e.getKey() <= end; e = read.ceilingEntry(start)) {
            end = Math.max(end, e.getKey() + e.getValue());
            read.remove(e.getKey());
        }
        read.put(start, end - start);
    }

    private boolean inUse(long cluster) throws IOException {
        long bit = cluster - 2;
        return (bitmap.readBytes(bit >>> 3, 1).get(0) >>> (bit & 7) & 1) != 0;
    }
}
