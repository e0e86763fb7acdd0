package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Claims;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import io.vdetach.extent.RunTableLayer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The master file table as an array of records, read through $MFT's own runlist (which may
 * be fragmented and even spread over extension records): single records in 16 KiB pieces through
 * the block cache, the one-pass scan in 1 MiB chunks straight from the volume.
 */
final class Mft {
    /**
     * Bytes read per chunk of the one-pass scan ({@link #readChunk}): large sequential reads make it
     * fast, and it holds one chunk at a time.
     */
    static final int CHUNK_BYTES = 1 << 20;
    /**
     * Bytes per cached piece for single records ({@link #record}) unless a record is larger: 16
     * records of 1 KiB. A walk reads a directory's records in order, but a hard link or a lookup
     * elsewhere wants one record far away: with 1 MiB pieces the 10,000 hard links of a
     * million-file volume made 8 GB of reads and as much old garbage (164 full collections, half
     * of `ls`'s time). A piece holds whole records (a boot sector may give 3 clusters a record).
     */
    static final int CACHED_BYTES = 16 << 10;
    /** NTFS record numbers are 32-bit in every released Windows. */
    static final long MAX_RECORDS = 1L << 32;
    /** $MFT's own attribute list can name at most this many runs pieces. */
    private static final int MAX_MFT_PIECES = 4096;


    /** $MFT's data on the volume; unmapped clusters read as zeros. */
    private final RunTableLayer data;
    private final BlockCache.Region<byte[]> chunks;
    private final int recordSize;
    private final long records;
    /** Bytes per cached piece: whole records, {@link #CACHED_BYTES} or one record when that is larger. */
    private final int piece;
    /** Shared for cached pieces with no allocated cluster: never written. */
    private final byte[] zeros;

    private Mft(Layer volume, BlockCache.Region<byte[]> chunks, int recordSize, long clusterSize, List<DataRun> runs,
                long dataSize) {
        RunTable.Builder t = RunTable.builder(dataSize);
        for (DataRun r : runs) {
            if (r.sparse() || r.vcn() >= (dataSize + clusterSize - 1) / clusterSize) continue; // nothing past the data
            t.add(new Run.Mapped(r.vcn() * clusterSize, r.length() * clusterSize, volume, r.lcn() * clusterSize));
        }
        this.data = new RunTableLayer(t.build(), "$MFT");
        this.chunks = chunks;
        this.recordSize = recordSize;
        this.records = dataSize / recordSize;
        this.piece = recordSize * Math.max(1, CACHED_BYTES / recordSize);
        this.zeros = new byte[piece];
    }

    /** Reads record 0 at the boot sector's $MFT cluster and follows $MFT's runlist, including its attribute list. */
    static Mft open(Layer volume, BootSector boot, BlockCache cache) throws IOException {
        BlockCache.Region<byte[]> chunks = cache.region("ntfs MFT chunks of " + volume.describe(), c -> c.length);
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
        for (Attribute a : data) extend(runs, a);
        if (list == null) return claimsNothingTwice(new Mft(volume, chunks, rs, cs, runs, dataSize), at);
        // A fragmented $MFT keeps the rest of its runlist in extension records, which the runs so far
        // reach. They are read through those runs directly; the table is built once at the end (a
        // table per extension was quadratic in a hostile list of thousands of pieces).
        NtfsStream listStream = new NtfsStream(volume, cs, List.of(list), "$MFT attribute list");
        List<AttributeListEntry> entries = AttributeListEntry.parseAll(listStream.readAll(NtfsFilesystem.MAX_ATTRIBUTE_LIST), 0, listStream);
        if (entries.size() > MAX_MFT_PIECES) throw MftRecord.corrupt(0, at, entries.size() + " attribute list entries");
        entries = new ArrayList<>(entries);
        entries.sort(Comparator.comparingLong(AttributeListEntry::startVcn));
        for (AttributeListEntry e : entries) {
            long n = MftRecord.number(e.segment());
            if (e.type() != Attribute.DATA || n == 0) continue;
            if (e.startVcn() != covered(runs)) continue;
            if (n >= dataSize / rs) throw MftRecord.corrupt(n, -1, "record number past the $MFT's " + dataSize / rs + " records");
            long[] where = {-1};
            ByteBuffer ext = readThrough(volume, runs, cs, rs, n, where);
            MftRecord eh = MftRecord.parse(ext, rs, n, where[0]);
            if (eh == null || eh.baseRecord() == 0 || MftRecord.number(eh.baseRecord()) != 0) throw MftRecord.corrupt(n, where[0], "not an extension of $MFT");
            for (Attribute a : Attribute.parseAll(ext, eh, n, boot.clusters(), where[0])) {
                if (a.type() == Attribute.DATA && a.name().isEmpty() && !a.resident()) extend(runs, a);
            }
        }
        return claimsNothingTwice(new Mft(volume, chunks, rs, cs, runs, dataSize), at);
    }

    /**
     * $MFT's runs must not claim the same image bytes twice (two runs at one cluster, or clusters
     * the container maps onto one): the same records would be read again and again as other files.
     */
    private static Mft claimsNothingTwice(Mft mft, long at) throws IOException {
        Claims.Overlap o = Claims.firstOverlap(ExtentMaps.toHostFiles(mft.data, 0, mft.data.size()));
        if (o != null) {
            throw MftRecord.corrupt(0, at, "$MFT's bytes " + o.second().start() + ".." + o.second().end() + " lie where its bytes "
                    + o.first().start() + ".." + o.first().end() + " lie already");
        }
        return mft;
    }

    /**
     * Record {@code n} read through {@code runs} (sorted, contiguous from VCN 0) alone, its fixups
     * applied; {@code where[0]} is set to the volume offset of its first byte.
     */
    private static ByteBuffer readThrough(Layer volume, List<DataRun> runs, long clusterSize, int recordSize, long n, long[] where)
            throws IOException {
        byte[] rec = new byte[recordSize];
        long pos = Math.multiplyExact(n, recordSize);
        for (int done = 0; done < recordSize; ) {
            long vcn = (pos + done) / clusterSize;
            int i = runAt(runs, vcn);
            if (i < 0 || runs.get(i).sparse()) {
                throw MftRecord.corrupt(n, -1, "$MFT extension record not mapped by the runs before it");
            }
            DataRun r = runs.get(i);
            long within = pos + done - r.vcn() * clusterSize;
            long from = r.lcn() * clusterSize + within;
            if (done == 0) where[0] = from;
            int len = (int) Math.min(recordSize - done, r.length() * clusterSize - within);
            volume.readFully(from, ByteBuffer.wrap(rec, done, len));
            done += len;
        }
        String bad = isFile(rec, 0) ? MftRecord.fixup(rec, 0, recordSize) : null;
        if (bad != null) throw MftRecord.corrupt(n, where[0], bad);
        return ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The run holding {@code vcn}, by binary search, or -1. */
    private static int runAt(List<DataRun> runs, long vcn) {
        int lo = 0, hi = runs.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            DataRun r = runs.get(mid);
            if (vcn < r.vcn()) hi = mid - 1;
            else if (vcn >= r.vcn() + r.length()) lo = mid + 1;
            else return mid;
        }
        return -1;
    }

    /** Adds the runs of a piece of $MFT's $DATA that starts where {@code runs} end; others overlap them and are ignored. */
    private static void extend(List<DataRun> runs, Attribute piece) {
        if (piece.startVcn() == covered(runs)) runs.addAll(piece.runs());
    }

    private static long covered(List<DataRun> runs) {
        return runs.isEmpty() ? 0 : runs.getLast().vcn() + runs.getLast().length();
    }

    long records() { return records; }

    /** Where $MFT's own bytes lie on the volume: [offset, offset + length) pairs of its mapped runs. */
    List<long[]> volumeExtents() throws IOException {
        List<long[]> out = new ArrayList<>();
        for (Run r : data.map(0, data.size())) if (r instanceof Run.Mapped m) out.add(new long[] {m.offset(), m.length()});
        return out;
    }

    int recordSize() { return recordSize; }

    /** The volume offset of record {@code n} (for messages), or -1 when it is not mapped. */
    long offsetOf(long n) {
        List<Run> r = data.map(n * recordSize, 1);
        return !r.isEmpty() && r.getFirst() instanceof Run.Mapped m ? m.offset() : -1;
    }

    /**
     * Record {@code n} with its fixups applied, as a little-endian buffer of {@link #recordSize()} bytes.
     *
     * @throws CorruptImageException when its update sequence does not match (a torn record)
     */
    ByteBuffer record(long n) throws IOException {
        if (n < 0 || n >= records) throw MftRecord.corrupt(n, -1, "record number past the $MFT's " + records + " records");
        long pos = n * recordSize;
        byte[] rec = new byte[recordSize];
        System.arraycopy(chunks.get(pos / piece, i -> { byte[] c = read(i * piece, piece); return c == null ? zeros : c; }),
                (int) (pos % piece), rec, 0, recordSize);
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
        return read(i * CHUNK_BYTES, CHUNK_BYTES);
    }

    /** {@code size} bytes of $MFT from {@code start} (zeros past its records), or null when none of them is allocated. */
    private byte[] read(long start, int size) throws IOException {
        int len = (int) Math.min(size, records * recordSize - start);
        boolean allocated = false;
        for (Run r : data.map(start, len)) allocated |= r instanceof Run.Mapped;
        if (!allocated) return null;
        byte[] c = new byte[size];
        data.readFully(start, ByteBuffer.wrap(c, 0, len));
        return c;
    }
}
