package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * ext4_xattr_entry ("Extended Attributes"): e_name_len, e_name_index, e_value_offs,
 * e_value_inum, e_value_size, e_hash, then the name, padded to 4 bytes. In the inode the value
 * offset counts from the first entry; in an xattr block, from the block start. A value in an
 * inode of its own (ea_inode) has e_value_inum set.
 *
 * @param entryOffset where the entry lies in the volume, for messages (not stored)
 */
public record Ext4XattrEntry(int nameIndex, int valueOffs, long valueInum, long valueSize, int hash, byte[] name,
                             long entryOffset) {
    public static final int HEADER = 16;

    /**
     * Parses the entries of {@code [start, end)} of {@code b}, up to the 4 zero bytes that end them;
     * {@code offset} is where {@code start} lies in the volume.
     */
    public static List<Ext4XattrEntry> parseAll(ByteBuffer b, int start, int end, long offset, String fs, String structure) {
        List<Ext4XattrEntry> out = new ArrayList<>();
        int pos = start;
        while (true) {
            long at = offset + pos - start;
            if (end - pos < 4) {
                if (pos == end) break; // The area may be full with no end marker.
                throw new CorruptImageException(fs, structure, at, "xattr entries run past the area");
            }
            if (b.getInt(pos) == 0) break;
            if (end - pos < HEADER) throw new CorruptImageException(fs, structure, at, "xattr entry cut short");
            int nameLen = b.get(pos) & 0xFF;
            int next = pos + HEADER + ((nameLen + 3) & ~3);
            if (next > end) throw new CorruptImageException(fs, structure, at, "xattr name runs past the area");
            byte[] name = new byte[nameLen];
            b.get(pos + HEADER, name);
            out.add(new Ext4XattrEntry(b.get(pos + 1) & 0xFF, b.getShort(pos + 2) & 0xFFFF, b.getInt(pos + 4) & 0xFFFFFFFFL,
                    b.getInt(pos + 8) & 0xFFFFFFFFL, b.getInt(pos + 12), name, at));
            pos = next;
        }
        return out;
    }

    void serialise(ByteBuffer b, int at) {
        b.put(at, (byte) name.length).put(at + 1, (byte) nameIndex).putShort(at + 2, (short) valueOffs);
        b.putInt(at + 4, (int) valueInum).putInt(at + 8, (int) valueSize).putInt(at + 12, hash).put(at + HEADER, name);
    }

    /** Bytes the entry takes: header and name, padded to 4. */
    int size() { return (HEADER + name.length + 3) & ~3; }
}
