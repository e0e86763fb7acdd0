package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of $ATTRIBUTE_LIST (ATTRIBUTE_LIST_ENTRY): which record holds an attribute of the file.
 *
 * @param segment file reference of the MFT record that holds the attribute
 */
record AttributeListEntry(int type, long startVcn, long segment, int id) {

    /**
     * Entries are at least 26 bytes, so a list of at most {@link NtfsFilesystem#MAX_ATTRIBUTE_LIST} bytes bounds the count.
     *
     * @param list where the value is stored, for messages
     */
    static List<AttributeListEntry> parseAll(byte[] value, long recordNumber, NtfsStream list) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        List<AttributeListEntry> out = new ArrayList<>();
        int p = 0;
        while (p + 26 <= value.length) {
            int type = b.getInt(p);
            int len = b.getShort(p + 4) & 0xffff;
            if (len < 26 || p + len > value.length) {
                throw new CorruptImageException("ntfs", "attribute list of MFT record " + recordNumber, list.volumeOffset(p),
                        "entry length " + len);
            }
            out.add(new AttributeListEntry(type, b.getLong(p + 8), b.getLong(p + 16), b.getShort(p + 24) & 0xffff));
            p += (len + 7) & ~7 ;
        }
        return out;
    }
}
