package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.CachedLayer;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The master file table as an array of records, read through $MFT's own runlist (which may
 * be fragmented and even spread over extension records): single records through the block
 * cache, the one-pass scan in 1 MiB chunks straight from the volume.
 */
final class Mft {
    /** Bytes read per chunk: large sequential reads make the full scan fast. */
    static final int CHUNK_BYTES = 1 << 20;
    /** Records are read in cached 64 KiB blocks of the volume: a directory's records are mostly neighbours. */
    private static final int CACHED_BLOCK = 64 << 10;
    /** NTFS record numbers are 32-bit in every released Windows. */
    static final long MAX_RECORDS = 1L << 32;
    /** $MFT's own attribute list can name at most this many runs pieces. */
    private static final int MAX_MFT_PIECES = 4096;

    private final Layer volume;
    private final Layer cached;
    private final int recordSize;
    private final long clusterSize;
    private final long[] vcns;
    private final long[] lcns;
    private final long[] lengths;
    private final long records;

    private Mft(Layer volume, Layer cached, int recordSize, long clusterSize, List<DataRun> runs, long dataSize) {
        this.volume = volume;
        this.cached = cached;
        this.recordSize = recordSize;
        this.clusterSize = clusterSize;
        this.vcns = runs.stream().mapToLong(DataRun::vcn).toArray();
        this.lcns = runs.stream().mapToLong(DataRun::lcn).toArray();
        this.lengths = runs.stream().mapToLong(DataRun::length).toArray();
        this.records = dataSize / recordSize;
    }

    /** Reads record 0 at the boot sector's $MFT cluster and follows $MFT's runlist, including its attribute list. */
    static Mft open(Layer volume, BootSector boot, BlockCache cache) throws IOException {
        Layer cached = new CachedLayer(volume, CACHED_BLOCK, cache);
        int rs = boot.mftRecordSize();
        long cs = boot.clusterSize();
        long at = Math.multiplyExact(boot.mftLcn(), cs);
        if (at > volume.size() - rs) throw MftRecord.corrupt(0, at, "$MFT record 0 past the volume's end");
        byte[] rec = new byte[rs];
        volume.readFully(at, ByteBuffer.wrap(rec));
        String bad = MftRecord.fixup(rec, 0, rs);
        if (bad != null) throw MftRecord.corrupt(0, at, bad);
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        MftRecord h = MftRecord.parse(b, rs, 0, at);
        if (h == null) throw MftRecord.corrupt(0, at, "no FILE magic in $MFT's own record");
        List<Attribute> attrs = Attribute.parseAll(b, h, 0, boot.clusters(), at);
        List<Attribute> data = new ArrayList<>();
        Attribute list = null;
        for (Attribute a : attrs) {
            if (a.type() == Attribute.DATA && a.name().isEmpty() && !a.resident()) data.add(a);
            if (a.type() == Attribute.ATTRIBUTE_LIST) list = a;
        }
        if (data.isEmpty()) throw MftRecord.corrupt(0, at, "$MFT has no non-resident $DATA");
        data.sort(Comparator.comparingLong(Attribute::startVcn));
        Attribute first = data.getFirst();
        if (first.startVcn() != 0) throw MftRecord.corrupt(0, at, "$MFT's $DATA does not start at VCN 0");
        long dataSize = first.dataSize();
        if (dataSize / rs > MAX_RECORDS || dataSize > volume.size()) throw MftRecord.corrupt(0, at, "$MFT size " + dataSize);
        List<DataRun> runs = new ArrayList<>();
        for (Attribute a : data) runs.addAll(a.runs());
        Mft mft = new Mft(volume, cached, rs, cs, runs, dataSize);
        if (list == null) return mft;
        // A fragmented $MFT keeps the rest of its runlist in extension records, which the runs so far reach.
        NtfsStream listStream = new NtfsStream(volume, cs, List.of(list), "$MFT attribute list");
        List<AttributeListEntry> entries = AttributeListEntry.parseAll(listStream.readAll(NtfsFilesystem.MAX_ATTRIBUTE_LIST), 0, listStream);
        if (entries.size() > MAX_MFT_PIECES) throw MftRecord.corrupt(0, at, entries.size() + " attribute list entries");
        entries = new ArrayList<>(entries);
        entries.sort(Comparator.comparingLong(AttributeListEntry::startVcn));
        for (AttributeListEntry e : entries) {
            long n = MftRecord.number(e.segment());
            if (e.type() != Attribute.DATA || n == 0) continue;
            long covered = runs.isEmpty() ? 0 : runs.getLast().vcn() + runs.getLast().length();
            if (e.startVcn() != covered) continue;
            ByteBuffer ext = mft.record(n);
            MftRecord eh = MftRecord.parse(ext, rs, n, mft.offsetOf(n));
            if (eh == null || eh.baseRecord() == 0 || MftRecord.number(eh.baseRecord()) != 0) throw MftRecord.corrupt(n, mft.offsetOf(n), "not an extension of $MFT");
            for (Attribute a : Attribute.parseAll(ext, eh, n, boot.clusters(), mft.offsetOf(n))) {
                if (a.type() == Attribute.DATA && a.name().isEmpty() && !a.resident() && a.startVcn() == covered) runs.addAll(a.runs());
            }
            mft = new Mft(volume, cached, rs, cs, runs, dataSize);
        }
        return mft;
    }

    long records() { return records; }

    int recordSize() { return recordSize; }

    /** The volume offset of record {@code n} (for messages), or -1 when it is not mapped. */
    long offsetOf(long n) {
        long pos = n * recordSize;
        int i = runIndex(pos / clusterSize);
        if (i < 0 || lcns[i] < 0) return -1;
        return lcns[i] * clusterSize + (pos - vcns[i] * clusterSize);
    }

    /**
     * Record {@code n} with its fixups applied, as a little-endian buffer of {@link #recordSize()} bytes.
     *
     * @throws CorruptImageException when its update sequence does not match (a torn record)
     */
    ByteBuffer record(long n) throws IOException {
        if (n < 0 || n >= records) throw MftRecord.corrupt(n, -1, "record number past the $MFT's " + records + " records");
        byte[] rec = new byte[recordSize];
        read(cached, n * recordSize, rec, recordSize);
        if (isFile(rec, 0)) {
            String bad = MftRecord.fixup(rec, 0, recordSize);
            if (bad != null) throw MftRecord.corrupt(n, offsetOf(n), bad);
        }
        return ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
    }

    static boolean isFile(byte[] rec, int off) {
        return rec[off] == 'F' && rec[off + 1] == 'I' && rec[off + 2] == 'L' && rec[off + 3] == 'E';
    }

    /**
     * Chunk {@code i} read without the cache (the one-pass scan), or null when no cluster of it is
     * allocated (a sparse or unmapped stretch: nothing to read, nothing in use).
     */
    byte[] readChunk(long i) throws IOException {
        long start = i * CHUNK_BYTES;
        int len = (int) Math.min(CHUNK_BYTES, records * recordSize - start);
        if (!allocated(start, start + len)) return null;
        byte[] c = new byte[CHUNK_BYTES];
        read(volume, start, c, len);
        return c;
    }

    /** $MFT's bytes {@code [start, start + len)} into {@code dst} through the runlist; unmapped clusters stay zero. */
    private void read(Layer from, long start, byte[] dst, int len) throws IOException {
        long pos = start;
        while (pos < start + len) {
            long vcn = pos / clusterSize;
            int r = runIndex(vcn);
            long runEnd = r < 0 ? nextRunStart(vcn) * clusterSize : (vcns[r] + lengths[r]) * clusterSize;
            long n = Math.min(start + len, runEnd) - pos;
            if (n <= 0) break;
            if (r >= 0 && lcns[r] >= 0) {
                long at = lcns[r] * clusterSize + (pos - vcns[r] * clusterSize);
                from.readFully(at, ByteBuffer.wrap(dst, (int) (pos - start), (int) n));
            }
            pos += n;
        }
    }

    private boolean allocated(long from, long to) {
        long v0 = from / clusterSize;
        long v1 = (to + clusterSize - 1) / clusterSize;
        int lo = 0, hi = vcns.length - 1, first = vcns.length;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (vcns[mid] + lengths[mid] > v0) { first = mid; hi = mid - 1; } else lo = mid + 1;
        }
        for (int r = first; r < vcns.length && vcns[r] < v1; r++) if (lcns[r] >= 0) return true;
        return false;
    }

    private int runIndex(long vcn) {
        int lo = 0, hi = vcns.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (vcns[mid] <= vcn) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (found >= 0 && vcn < vcns[found] + lengths[found]) return found;
        return -1;
    }

    private long nextRunStart(long vcn) {
        for (long v : vcns) if (v > vcn) return v;
        return Long.MAX_VALUE / clusterSize;
    }
}
