package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;

/**
 * The header of an MFT record (FILE_RECORD_SEGMENT_HEADER), after its update-sequence
 * fixups have been applied and checked by {@link #fixup}.
 *
 * @param sequence the record's sequence number; file references name it to detect reuse
 * @param linkCount the header's hard-link count (includes DOS names)
 * @param attrsOffset where the first attribute starts
 * @param flags {@link #IN_USE}, {@link #DIRECTORY}
 * @param bytesInUse the used part of the record; attributes end before it
 * @param baseRecord for an extension record, the base record's file reference; 0 for a base record
 */
record MftRecord(int sequence, int linkCount, int attrsOffset, int flags, int bytesInUse, long baseRecord) {

    static final int IN_USE = 0x0001;
    static final int DIRECTORY = 0x0002;
    /** "FILE" little-endian. */
    static final int MAGIC = 0x454c4946;
    /** "BAAD": chkdsk marked the record as torn by a failed multi-sector write. */
    static final int BAAD = 0x44414142;
    /** Update sequence stride: NTFS protects every 512 bytes whatever the sector size. */
    static final int STRIDE = 512;

    boolean inUse() { return (flags & IN_USE) != 0; }

    boolean isDirectory() { return (flags & DIRECTORY) != 0; }

    /** The record number part (low 48 bits) of a file reference. */
    static long number(long reference) { return reference & 0xffff_ffff_ffffL; }

    /** The sequence part (high 16 bits) of a file reference. */
    static int sequenceOf(long reference) { return (int) (reference >>> 48); }

    /**
     * Parses the header of the record at {@code [0, size)} of {@code b} (little-endian), whose
     * fixups have been applied. Returns null when the record holds no "FILE" magic (never used).
     */
    static MftRecord parse(ByteBuffer b, int size, long recordNumber, long offsetForMessages) {
        if (b.getInt(0) != MAGIC) return null;
        int attrs = b.getShort(20) & 0xffff;
        int used = b.getInt(24);
        if (used < 0 || used > size) throw corrupt(recordNumber, offsetForMessages, "bytes in use " + used + " > record size " + size);
        if (attrs < 24 || attrs % 8 != 0 || attrs >= used) throw corrupt(recordNumber, offsetForMessages, "first attribute at " + attrs);
        return new MftRecord(b.getShort(16) & 0xffff, b.getShort(18) & 0xffff, attrs, b.getShort(22) & 0xffff, used, b.getLong(32));
    }

    /**
     * Applies the update-sequence fixups of a multi-sector record in place: the last two bytes of
     * every 512-byte stride must equal the update sequence number and are replaced by the saved
     * bytes. Returns null when they do, else why not (a torn or damaged record that must not be trusted).
     */
    static String fixup(byte[] rec, int off, int size) {
        int usaOffset = (rec[off + 4] & 0xff) | (rec[off + 5] & 0xff) << 8;
        int usaCount = (rec[off + 6] & 0xff) | (rec[off + 7] & 0xff) << 8;
        int strides = size / STRIDE;
        if (usaCount != strides + 1) return "update sequence count " + usaCount + " for " + strides + " strides";
        if (usaOffset < 8 || usaOffset % 2 != 0 || usaOffset + 2 * usaCount > size || usaOffset + 2 * usaCount > STRIDE - 2) {
            return "update sequence array at " + usaOffset;
        }
        byte u0 = rec[off + usaOffset];
        byte u1 = rec[off + usaOffset + 1];
        for (int i = 0; i < strides; i++) {
            int end = off + (i + 1) * STRIDE - 2;
            if (rec[end] != u0 || rec[end + 1] != u1) return "update sequence mismatch in stride " + i;
        }
        for (int i = 0; i < strides; i++) {
            int end = off + (i + 1) * STRIDE - 2;
            rec[end] = rec[off + usaOffset + 2 + 2 * i];
            rec[end + 1] = rec[off + usaOffset + 3 + 2 * i];
        }
        return null;
    }

    static CorruptImageException corrupt(long recordNumber, long offset, String detail) {
        return new CorruptImageException("ntfs", "MFT record " + recordNumber, offset, detail);
    }
}
