package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * ext4_xattr_entry ("Extended Attributes"): one name with where its value is. In the inode the
 * value offset counts from the first entry; in an xattr block, from the block start.
 */
record XattrEntry(int nameIndex, byte[] name, int valueOffset, long valueInode, long valueSize, long entryOffset) {

    static final int HEADER = 16;
    /** The first word of an in-inode xattr area and of an xattr block. */
    static final int MAGIC = 0xEA020000;

    /** Parses the entries of {@code [start, end)} of {@code b}, up to the 4 zero bytes that end them. */
    static List<XattrEntry> parseAll(ByteBuffer b, int start, int end, long offset, String fs, String structure) {
        List<XattrEntry> out = new ArrayList<>();
        int pos = start;
        while (true) {
            if (end - pos < 4) {
                if (pos == end) break; // The area may be full with no end marker.
                throw new CorruptImageException(fs, structure, offset + pos - start, "xattr entries run past the area");
            }
            if (b.getInt(pos) == 0) break;
            if (end - pos < HEADER) throw new CorruptImageException(fs, structure, offset + pos - start, "xattr entry cut short");
            int nameLen = b.get(pos) & 0xff;
            int index = b.get(pos + 1) & 0xff;
            int valueOffs = b.getShort(pos + 2) & 0xffff;
            long valueInum = Superblock.u32(b, pos + 4);
            long valueSize = Superblock.u32(b, pos + 8);
            int next = pos + HEADER + ((nameLen + 3) & ~3);
            if (next > end) throw new CorruptImageException(fs, structure, offset + pos - start, "xattr name runs past the area");
            byte[] name = new byte[nameLen];
            b.get(pos + HEADER, name);
            out.add(new XattrEntry(index, name, valueOffs, valueInum, valueSize, offset + pos - start));
            pos = next;
        }
        return out;
    }
}
