package io.vdetach.guestfs.ntfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * $REPARSE_POINT (REPARSE_DATA_BUFFER, MS-FSCC 2.1.2): its tag and, for symbolic links and
 * mount points (junctions), the substitute name and the relative flag.
 *
 * @param substituteName the target as stored (e.g. "\??\C:\Users"), or null for other tags
 */
record ReparsePoint(int tag, String substituteName, boolean relative) {

    static final int TAG_MOUNT_POINT = 0xa0000003;
    static final int TAG_SYMLINK = 0xa000000c;
    static final int TAG_DEDUP = 0x80000013;
    static final int TAG_WOF = 0x80000017;
    /** Flag of a symbolic link whose target is relative to the link's directory (MS-FSCC 2.1.2.4). */
    private static final int SYMLINK_FLAG_RELATIVE = 1;

    static ReparsePoint parse(byte[] value) {
        if (value.length < 8) return null;
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        int tag = b.getInt(0);
        int dataLen = b.getShort(4) & 0xffff;
        // Microsoft tags (bit 31) have an 8-byte header, others add a 16-byte GUID; the length must match exactly.
        if (tag == 0 || 8 + dataLen + (tag < 0 ? 0 : 16) != value.length) return new ReparsePoint(tag, null, false);
        int pathBuffer;
        boolean relative = false;
        if (tag == TAG_SYMLINK) {
            if (dataLen < 12) return new ReparsePoint(tag, null, false);
            relative = (b.getInt(16) & SYMLINK_FLAG_RELATIVE) != 0;
            pathBuffer = 20;
        } else if (tag == TAG_MOUNT_POINT) {
            if (dataLen < 8) return new ReparsePoint(tag, null, false);
            pathBuffer = 16;
        } else {
            return new ReparsePoint(tag, null, false);
        }
        int off = b.getShort(8) & 0xffff;
        int len = b.getShort(10) & 0xffff;
        if (len % 2 != 0 || pathBuffer + off + len > 8 + dataLen) return new ReparsePoint(tag, null, relative);
        return new ReparsePoint(tag, Attribute.utf16(b, pathBuffer + off, len / 2), relative);
    }
}
