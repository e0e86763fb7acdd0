package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of a non-resident attribute's mapping pairs: {@code length} clusters from virtual
 * cluster {@code vcn} stored at logical cluster {@code lcn}, or sparse when {@code lcn} is {@link #SPARSE}.
 */
record DataRun(long vcn, long lcn, long length) {

    static final long SPARSE = -1;

    boolean sparse() { return lcn == SPARSE; }

    /**
     * Decodes the mapping pairs in {@code [from, to)} of {@code b} ("NTFS attribute: mapping pairs":
     * a header byte whose low nibble is the size of the length field and high nibble the size
     * of the signed LCN delta; a delta size of 0 means sparse). Every run is checked to lie
     * inside a volume of {@code volumeClusters} clusters.
     */
    static List<DataRun> decode(ByteBuffer b, int from, int to, long startVcn, long volumeClusters,
                                String structure, long offsetForMessages) {
        List<DataRun> out = new ArrayList<>();
        long vcn = startVcn;
        long lcn = 0;
        int p = from;
        while (p < to) {
            int header = b.get(p) & 0xff;
            if (header == 0) break;
            int lenSize = header & 0x0f;
            int offSize = header >>> 4;
            if (lenSize == 0 || lenSize > 8 || offSize > 8 || p + 1 + lenSize + offSize > to) {
                throw corrupt(structure, offsetForMessages + p, "mapping pair header 0x" + Integer.toHexString(header));
            }
            long length = signed(b, p + 1, lenSize);
            if (length <= 0) throw corrupt(structure, offsetForMessages + p, "run length " + length);
            if (offSize == 0) {
                out.add(new DataRun(vcn, SPARSE, length));
            } else {
                long delta = signed(b, p + 1 + lenSize, offSize);
                lcn += delta;
                if (lcn < 0 || lcn > volumeClusters || length > volumeClusters - lcn) {
                    throw corrupt(structure, offsetForMessages + p, "run of " + length + " clusters at cluster "
                            + lcn + " past the volume's " + volumeClusters + " clusters");
                }
                out.add(new DataRun(vcn, lcn, length));
            }
            vcn += length;
            if (vcn < 0) throw corrupt(structure, offsetForMessages + p, "virtual cluster overflow");
            p += 1 + lenSize + offSize;
        }
        return out;
    }

    private static long signed(ByteBuffer b, int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (b.get(at + i) & 0xff);
        int shift = 64 - 8 * size;
        return shift == 0 ? v : (v << shift) >> shift;
    }

    private static CorruptImageException corrupt(String structure, long at, String detail) {
        return new CorruptImageException("ntfs", structure, at, detail);
    }
}
