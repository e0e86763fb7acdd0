package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One attribute's value (a $DATA stream, an attribute list) as a layer over the volume: resident
 * bytes are materialised; non-resident runs map onto the volume at {@code lcn * clusterSize};
 * sparse runs and bytes past the initialized size are holes; LZNT1-compressed units are
 * materialised by decompression.
 */
final class NtfsStream extends MappedLayer {
    /** NTFS compresses 16-cluster units; units above 1 MiB are refused so a hostile exponent allocates nothing large (CVE-2026-48095). */
    static final int MAX_UNIT_BYTES = 1 << 20;
    static final String RESIDENT = "resident in the MFT record";
    static final String COMPRESSED = "LZNT1-compressed";

    private final Layer volume;
    private final long clusterSize;
    private final String name;
    /** The volume offset of the attribute (its resident value or its first header), for messages. */
    private final long at;
    private final long size;
    private final byte[] resident;
    private final RunTable table;
    private final List<DataRun> runs;
    private final long[] runVcns;
    private final int unitClusters;
    private long cachedUnit = -1;
    private byte[] cachedBytes;

    /** @param pieces the attribute's instances (one per record holding part of its runlist) */
    NtfsStream(Layer volume, long clusterSize, List<Attribute> pieces, String name) {
        this.volume = volume;
        this.clusterSize = clusterSize;
        this.name = name;
        List<Attribute> sorted = new ArrayList<>(pieces);
        sorted.sort(Comparator.comparingLong(Attribute::startVcn));
        Attribute first = sorted.getFirst();
        this.at = first.offset();
        if (first.resident()) {
            this.resident = first.value();
            this.size = resident.length;
            this.table = null;
            this.runs = List.of();
            this.runVcns = new long[0];
            this.unitClusters = 0;
            return;
        }
        this.resident = null;
        if (first.startVcn() != 0) throw corrupt(first, "runlist does not start at VCN 0");
        List<DataRun> all = new ArrayList<>();
        long vcn = 0;
        for (Attribute a : sorted) {
            if (a.resident()) throw corrupt(a, "resident and non-resident parts of one attribute");
            if (a.startVcn() != vcn) throw corrupt(a, "runlist piece starts at VCN " + a.startVcn() + ", expected " + vcn);
            for (DataRun r : a.runs()) {
                all.add(r);
                vcn = r.vcn() + r.length();
            }
        }
        if (vcn > Long.MAX_VALUE / clusterSize) throw corrupt(first, "runlist of " + vcn + " clusters overflows");
        this.runs = all;
        this.runVcns = all.stream().mapToLong(DataRun::vcn).toArray();
        this.size = first.dataSize();
        long covered = vcn > Long.MAX_VALUE / clusterSize ? Long.MAX_VALUE : vcn * clusterSize;
        if (size > covered) throw corrupt(first, "data size " + size + " beyond the " + covered + " bytes its runs cover");
        long valid = Math.min(first.initializedSize(), size);
        boolean compressed = (first.flags() & Attribute.FLAG_COMPRESSED) != 0 && first.compressionUnit() != 0;
        if (compressed) {
            int exp = first.compressionUnit();
            if (exp > 16 || (clusterSize << exp) > MAX_UNIT_BYTES) throw corrupt(first, "compression unit of 2^" + exp + " clusters");
            this.unitClusters = 1 << exp;
            this.table = compressedTable(valid);
        } else {
            this.unitClusters = 0;
            RunTable.Builder t = RunTable.builder(size);
            for (DataRun r : all) {
                long s = r.vcn() * clusterSize;
                long e = Math.min(valid, s + r.length() * clusterSize);
                if (r.sparse() || e <= s) continue;
                t.add(new Run.Mapped(s, e - s, volume, r.lcn() * clusterSize));
            }
            this.table = t.build();
        }
    }

    /**
     * Classifies each compression unit: all sparse → hole; fully allocated → stored as-is; else
     * compressed. The units that lie wholly inside one run are classified together in one step, so
     * the table has O(runs) entries and costs O(runs) time: a hostile runlist claiming 2^28
     * clusters per run would otherwise make a table entry per unit until the heap is gone.
     */
    private RunTable compressedTable(long valid) {
        RunTable.Builder t = RunTable.builder(size);
        long unitBytes = unitClusters * clusterSize;
        long units = (valid + unitBytes - 1) / unitBytes;
        long u = 0;
        while (u < units) {
            long v0 = u * unitClusters;
            int ri = runIndex(v0);
            DataRun r = ri < 0 ? null : runs.get(ri);
            if (r != null && r.vcn() + r.length() >= v0 + unitClusters) {
                // Units wholly inside one run: holes when it is sparse, stored as-is when it is allocated.
                long past = Math.min(units, (r.vcn() + r.length()) / unitClusters);
                if (!r.sparse()) {
                    long start = u * unitBytes;
                    long end = Math.min(valid, past * unitBytes);
                    t.add(new Run.Mapped(start, end - start, volume, r.lcn() * clusterSize + (start - r.vcn() * clusterSize)));
                }
                u = past;
                continue;
            }
            long allocated = 0;
            for (int i = Math.max(ri, 0); i < runs.size() && runs.get(i).vcn() < v0 + unitClusters; i++) {
                DataRun x = runs.get(i);
                if (x.sparse()) continue;
                long s = Math.max(x.vcn(), v0);
                long e = Math.min(x.vcn() + x.length(), v0 + unitClusters);
                if (e > s) allocated += e - s;
            }
            long start = u * unitBytes;
            long end = Math.min(valid, start + unitBytes);
            if (allocated == unitClusters) {
                for (int i = Math.max(ri, 0); i < runs.size() && runs.get(i).vcn() < v0 + unitClusters; i++) {
                    DataRun x = runs.get(i);
                    long s = Math.max(x.vcn() * clusterSize, start);
                    long e = Math.min((x.vcn() + x.length()) * clusterSize, end);
                    if (e > s) t.add(new Run.Mapped(s, e - s, volume, x.lcn() * clusterSize + (s - x.vcn() * clusterSize)));
                }
            } else if (allocated > 0) {
                t.add(new Run.Materialise(start, end - start, COMPRESSED));
            }
            u++;
        }
        return t.build();
    }

    private int runIndex(long vcn) {
        int lo = 0, hi = runVcns.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (runVcns[mid] <= vcn) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (found >= 0 && vcn < runVcns[found] + runs.get(found).length()) return found;
        return -1;
    }

    @Override
    public long size() { return size; }

    @Override
    public List<Run> map(long offset, long length) {
        if (resident != null) {
            long end = Math.min(size, offset + length);
            if (offset < 0 || end <= offset) return List.of();
            return List.of(new Run.Materialise(offset, end - offset, RESIDENT));
        }
        return table.slice(offset, length);
    }

    @Override
    protected void readMaterialised(Run.Materialise run, ByteBuffer dst) throws IOException {
        if (resident != null) {
            dst.put(resident, (int) run.start(), (int) run.length());
            return;
        }
        long unitBytes = unitClusters * clusterSize;
        long pos = run.start();
        while (pos < run.end()) {
            long u = pos / unitBytes;
            byte[] unit = unit(u);
            int from = (int) (pos - u * unitBytes);
            int n = (int) Math.min(unitBytes - from, run.end() - pos);
            dst.put(unit, from, n);
            pos += n;
        }
    }

    /** Decompresses compression unit {@code u}: its allocated clusters hold LZNT1 data. */
    private synchronized byte[] unit(long u) throws IOException {
        if (u == cachedUnit) return cachedBytes;
        int unitBytes = (int) (unitClusters * clusterSize);
        byte[] src = new byte[unitBytes];
        int have = 0;
        long stored = at; // where the unit's first allocated cluster is, for messages
        long v0 = u * unitClusters;
        int ri = Math.max(runIndex(v0), 0);
        for (int i = ri; i < runs.size() && runs.get(i).vcn() < v0 + unitClusters; i++) {
            DataRun x = runs.get(i);
            if (x.sparse()) continue;
            long s = Math.max(x.vcn(), v0);
            long e = Math.min(x.vcn() + x.length(), v0 + unitClusters);
            if (e <= s) continue;
            int n = (int) ((e - s) * clusterSize);
            long from = x.lcn() * clusterSize + (s - x.vcn()) * clusterSize;
            if (have == 0) stored = from;
            volume.readFully(from, ByteBuffer.wrap(src, have, n));
            have += n;
        }
        byte[] out = new byte[unitBytes];
        String bad = Lznt1.decompress(src, have, out, unitBytes);
        if (bad != null) {
            throw new CorruptImageException("ntfs", name + " compression unit " + u, stored, "LZNT1: " + bad);
        }
        cachedUnit = u;
        cachedBytes = out;
        return out;
    }

    /** The whole value, refusing more than {@code max} bytes (for metadata such as attribute lists). */
    byte[] readAll(int max) throws IOException {
        if (size > max) throw new CorruptImageException("ntfs", name, at, "value of " + size + " bytes above the " + max + " allowed");
        byte[] b = new byte[(int) size];
        readFully(0, ByteBuffer.wrap(b));
        return b;
    }

    /** Where byte {@code pos} of the value is on the volume; the attribute's offset where it is not stored as-is. */
    long volumeOffset(long pos) {
        if (resident != null) return at + pos;
        List<Run> r = table.slice(pos, 1);
        return !r.isEmpty() && r.getFirst() instanceof Run.Mapped m ? m.offset() : at;
    }

    @Override
    public String describe() { return name; }

    private CorruptImageException corrupt(Attribute a, String detail) {
        return new CorruptImageException("ntfs", name + " (MFT record " + a.recordNumber() + ")", a.offset(), detail);
    }
}
