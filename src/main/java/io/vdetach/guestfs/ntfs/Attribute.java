package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One attribute record of an MFT record (ATTRIBUTE_RECORD_HEADER), resident or not.
 *
 * @param name the attribute's name ("" for the unnamed $DATA), UTF-16 as stored
 * @param value a resident attribute's value, else null
 * @param offset where it is on the volume: a resident attribute's value, else its header (for messages)
 * @param runs a non-resident attribute's runs from {@code startVcn}, else null
 * @param compressionUnit log2 of clusters per compression unit (0: not compressed)
 */
record Attribute(int type, int flags, String name, int id, long recordNumber, long offset, byte[] value,
                 long startVcn, long lastVcn, int compressionUnit, long allocatedSize, long dataSize,
                 long initializedSize, List<DataRun> runs) {

    static final int STANDARD_INFORMATION = 0x10;
    static final int ATTRIBUTE_LIST = 0x20;
    static final int FILE_NAME = 0x30;
    static final int VOLUME_NAME = 0x60;
    static final int VOLUME_INFORMATION = 0x70;
    static final int DATA = 0x80;
    static final int INDEX_ROOT = 0x90;
    static final int REPARSE_POINT = 0xc0;
    static final int END = 0xffffffff;

    static final int FLAG_COMPRESSED = 0x0001;
    static final int FLAG_ENCRYPTED = 0x4000;
    static final int FLAG_SPARSE = 0x8000;

    boolean resident() { return value != null; }

    /** Every attribute of a record whose header was parsed and fixed up, in stored order. */
    static List<Attribute> parseAll(ByteBuffer b, MftRecord h, long recordNumber, long volumeClusters, long recordOffset) {
        List<Attribute> out = new ArrayList<>();
        int p = h.attrsOffset();
        int end = h.bytesInUse();
        while (p + 4 <= end) {
            int type = b.getInt(p);
            if (type == END) break;
            if (p + 16 > end) throw corrupt(recordNumber, recordOffset + p, "attribute header past the record's used bytes");
            int len = b.getInt(p + 4);
            if (len < 24 || len % 8 != 0 || len > end - p) throw corrupt(recordNumber, recordOffset + p, "attribute length " + len);
            out.add(parse(b, p, len, type, recordNumber, volumeClusters, recordOffset));
            p += len;
        }
        return out;
    }

    private static Attribute parse(ByteBuffer b, int p, int len, int type, long recordNumber, long volumeClusters, long recordOffset) {
        boolean nonResident = b.get(p + 8) != 0;
        int nameLen = b.get(p + 9) & 0xff;
        int nameOff = b.getShort(p + 10) & 0xffff;
        int flags = b.getShort(p + 12) & 0xffff;
        int id = b.getShort(p + 14) & 0xffff;
        if (nameLen > 0 && nameOff + 2 * nameLen > len) throw corrupt(recordNumber, recordOffset + p, "attribute name past its end");
        String name = nameLen == 0 ? "" : utf16(b, p + nameOff, nameLen);
        if (!nonResident) {
            int valueLen = b.getInt(p + 16);
            int valueOff = b.getShort(p + 20) & 0xffff;
            if (valueLen < 0 || valueOff + (long) valueLen > len) throw corrupt(recordNumber, recordOffset + p, "resident value past the attribute");
            byte[] v = new byte[valueLen];
            b.get(p + valueOff, v);
            return new Attribute(type, flags, name, id, recordNumber, recordOffset + p + valueOff, v, 0, 0, 0, valueLen,
                    valueLen, valueLen, null);
        }
        if (len < 64) throw corrupt(recordNumber, recordOffset + p, "non-resident attribute of " + len + " bytes");
        long startVcn = b.getLong(p + 16);
        long lastVcn = b.getLong(p + 24);
        int runsOff = b.getShort(p + 32) & 0xffff;
        int cu = b.getShort(p + 34) & 0xffff;
        long alloc = b.getLong(p + 40);
        long data = b.getLong(p + 48);
        long init = b.getLong(p + 56);
        if (startVcn < 0 || lastVcn < startVcn - 1) throw corrupt(recordNumber, recordOffset + p, "VCN range " + startVcn + ".." + lastVcn);
        if (runsOff < 64 || runsOff > len) throw corrupt(recordNumber, recordOffset + p, "mapping pairs at " + runsOff);
        if (startVcn == 0 && (alloc < 0 || data < 0 || init < 0 || init > data)) {
            throw corrupt(recordNumber, recordOffset + p, "sizes allocated " + alloc + ", data " + data + ", initialized " + init);
        }
        List<DataRun> runs = DataRun.decode(b, p + runsOff, p + len, startVcn, volumeClusters,
                "MFT record " + recordNumber + " mapping pairs", recordOffset);
        return new Attribute(type, flags, name, id, recordNumber, recordOffset + p, null, startVcn, lastVcn, cu, alloc, data,
                init, runs);
    }

    static String utf16(ByteBuffer b, int at, int units) {
        char[] c = new char[units];
        for (int i = 0; i < units; i++) c[i] = b.getChar(at + 2 * i);
        return new String(c);
    }

    static CorruptImageException corrupt(long recordNumber, long at, String detail) {
        return new CorruptImageException("ntfs", "MFT record " + recordNumber + " attribute", at, detail);
    }
}
