package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Recovered;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The deleted files and directories of an NTFS volume (--deleted): base MFT records not in use
 * whose $FILE_NAME survives, in record order, one per call. Deleting a file on NTFS clears the
 * record's in-use flag, increments its sequence number and frees its clusters in $Bitmap; the
 * attributes stay until the record is reused. So the name, times, resident data and runlists are
 * as they were: resident data is exact, non-resident data is exact unless a cluster was allocated
 * again since ({@link Recovered.Recovery#CLUSTERS_POSSIBLY_REUSED}, the content still given).
 *
 * <p>Bounds: one pass over the MFT's records (its size is bounded by the volume); a record's
 * attributes are parsed as the live reader parses them (every run inside the volume); parents are
 * looked up once each ({@link ParentChain}). A record whose runs point into the $MFT itself gives
 * no content: an error, then the entry with its name only.
 */
final class DeletedRecords implements DeletedEntries {
    private final NtfsFilesystem fs;
    private final Layer volume;
    private final BootSector boot;
    private final Mft mft;
    private final ParentChain chain;
    private final List<long[]> mftExtents;
    private ClusterBitmap bitmap;
    private boolean bitmapUnreadable;
    private long cursor = DirectoryTree.FIRST_USER;
    /** An entry to hand out on the next call, after the error its record raised. */
    private Recovered pending;

    DeletedRecords(NtfsFilesystem fs, Layer volume, BootSector boot, Mft mft) throws IOException {
        this.fs = fs;
        this.volume = volume;
        this.boot = boot;
        this.mft = mft;
        this.chain = new ParentChain(mft);
        this.mftExtents = mft.volumeExtents();
    }

    @Override
    public Recovered next() throws IOException {
        if (pending != null) {
            Recovered r = pending;
            pending = null;
            return r;
        }
        while (cursor < mft.records()) {
            long n = cursor++; // advanced first: a record that fails is not read again
            Recovered r = recover(n);
            if (r != null) return r;
        }
        return null;
    }

    /** An MFT record's bytes and header (null when never used). */
    private record Read(ByteBuffer bytes, MftRecord header) {}

    /**
     * Record {@code n} read and its header parsed; null when it is torn or damaged: whether it was a
     * file at all is unknown (the live scan warns of those in use).
     */
    private Read read(long n) throws IOException {
        try {
            ByteBuffer b = mft.record(n);
            return new Read(b, MftRecord.parse(b, mft.recordSize(), n, mft.offsetOf(n)));
        } catch (CorruptImageException e) {
            return null;
        }
    }

    /** Record {@code n} recovered, or null when it is in use, an extension, never used or nameless. */
    private Recovered recover(long n) throws IOException {
        long at = mft.offsetOf(n);
        Read r = read(n);
        if (r == null || r.header() == null || r.header().inUse() || r.header().baseRecord() != 0) return null;
        ByteBuffer b = r.bytes();
        MftRecord h = r.header();
        FileName fn = ParentChain.name(b, h);
        if (fn == null) return null;
        List<Attribute> attrs = new ArrayList<>(Attribute.parseAll(b, h, n, boot.clusters(), at));
        extensions(n, attrs);
        FileRecord f = new FileRecord(n, h, attrs);
        Node node = fs.nodeOf(f);
        byte[] name = Names.utf8(fn.name());
        ParentChain.Result path = chain.resolve(n, fn.parent());
        Recovered.Place place = path.directories() == null ? Recovered.Place.ORPHAN : Recovered.Place.DELETED;
        List<byte[]> components = new ArrayList<>();
        if (place == Recovered.Place.DELETED) {
            for (char[] d : path.directories()) components.add(Names.utf8(d));
            components.add(name);
        } else {
            components.add(orphanName(n, name));
        }
        String intoMft = intoMft(f);
        if (intoMft != null || path.cycle()) {
            // the entry is still listed, after the error: by its name only when its runs are not to be trusted
            pending = intoMft != null
                    ? new Recovered(place, components, node, Recovered.Recovery.NAMES_ONLY, null, List.of())
                    : recovered(place, components, node, f);
            throw MftRecord.corrupt(n, at, "deleted record: " + (intoMft != null ? intoMft : path.orphanReason()));
        }
        return recovered(place, components, node, f);
    }

    private Recovered recovered(Recovered.Place place, List<byte[]> path, Node node, FileRecord f) throws IOException {
        Layer content = node.type() == EntryType.FILE ? fs.contentOf(f, node) : null;
        List<NamedStream> streams = fs.namedStreamsOf(f, node);
        Recovered.Recovery how = reused(f) ? Recovered.Recovery.CLUSTERS_POSSIBLY_REUSED : Recovered.Recovery.METADATA_INTACT;
        return new Recovered(place, path, node, how, content, streams);
    }

    /** "$Orphan/<record>-<name>": the record number (as fls and icat address it) and the name that survives. */
    private static byte[] orphanName(long n, byte[] name) {
        byte[] id = (n + "-").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = java.util.Arrays.copyOf(id, id.length + name.length);
        System.arraycopy(name, 0, out, id.length, name.length);
        return out;
    }

    /**
     * The attributes of extension records an $ATTRIBUTE_LIST names, where those records still name
     * this one as their base and are not in use by another file; others are left out (the data they
     * held is then missing, and its stream reads shorter or fails as the live reader would).
     */
    private void extensions(long n, List<Attribute> attrs) throws IOException {
        Attribute list = null;
        for (Attribute a : attrs) if (a.type() == Attribute.ATTRIBUTE_LIST) list = a;
        if (list == null) return;
        NtfsStream listStream = new NtfsStream(volume, boot.clusterSize(), List.of(list), "attribute list of deleted MFT record " + n);
        Set<Long> seen = new HashSet<>();
        seen.add(n);
        for (AttributeListEntry e : AttributeListEntry.parseAll(listStream.readAll(NtfsFilesystem.MAX_ATTRIBUTE_LIST), n, listStream)) {
            long x = MftRecord.number(e.segment());
            if (!seen.add(x) || x >= mft.records()) continue;
            Read xr = read(x);
            if (xr == null) continue;
            MftRecord xh = xr.header();
            if (xh == null || xh.inUse() || MftRecord.number(xh.baseRecord()) != n || xh.baseRecord() == 0) continue;
            for (Attribute a : Attribute.parseAll(xr.bytes(), xh, x, boot.clusters(), mft.offsetOf(x))) {
                if (a.type() != Attribute.ATTRIBUTE_LIST) attrs.add(a);
            }
        }
    }

    /** Why the record's runs are not to be trusted (they lie in the $MFT's own clusters), or null. */
    private String intoMft(FileRecord f) {
        long cs = boot.clusterSize();
        for (Attribute a : f.attributes()) {
            if (a.resident() || a.runs() == null) continue;
            for (DataRun r : a.runs()) {
                if (r.sparse()) continue;
                long from = r.lcn() * cs;
                long to = from + r.length() * cs;
                for (long[] m : mftExtents) {
                    if (from < m[0] + m[1] && m[0] < to) {
                        return "its runlist points into the $MFT itself (clusters " + r.lcn() + ".." + (r.lcn() + r.length() - 1)
                                + "): no content given";
                    }
                }
            }
        }
        return null;
    }

    /** Whether any cluster a $DATA run of the record claims is allocated now (or $Bitmap cannot say). */
    private boolean reused(FileRecord f) throws IOException {
        for (Attribute a : f.attributes()) {
            if (a.type() != Attribute.DATA || a.resident() || a.runs() == null) continue;
            for (DataRun r : a.runs()) {
                if (r.sparse()) continue;
                ClusterBitmap bm = bitmap();
                if (bm == null || bm.anyAllocated(r.lcn(), r.length())) return true;
            }
        }
        return false;
    }

    private ClusterBitmap bitmap() throws IOException {
        if (bitmap == null && !bitmapUnreadable) {
            try {
                bitmap = new ClusterBitmap(fs.clusterBitmap());
            } catch (CorruptImageException e) {
                bitmapUnreadable = true;
            }
        }
        return bitmap;
    }
}
