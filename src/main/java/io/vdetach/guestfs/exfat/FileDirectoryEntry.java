package io.vdetach.guestfs.exfat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The File directory entry, type 0x85 (section 7.4), as stored. */
record FileDirectoryEntry(int secondaryCount, int setChecksum, int fileAttributes, long createTimestamp,
                          long lastModifiedTimestamp, long lastAccessedTimestamp, int create10ms,
                          int lastModified10ms, int createUtcOffset, int lastModifiedUtcOffset,
                          int lastAccessedUtcOffset) {

    static final int TYPE = 0x85;
    static final int ATTR_READ_ONLY = 0x01;
    static final int ATTR_DIRECTORY = 0x10;
    /** FileAttributes' defined bits (section 7.4.4): ReadOnly, Hidden, System, Directory, Archive. */
    static final int ATTRIBUTE_BITS = 0x37;

    static FileDirectoryEntry parse(ByteBuffer e) {
        ByteBuffer b = e.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new FileDirectoryEntry(b.get(1) & 0xff, b.getShort(2) & 0xffff, b.getShort(4) & 0xffff,
                b.getInt(8) & 0xffffffffL, b.getInt(12) & 0xffffffffL, b.getInt(16) & 0xffffffffL,
                b.get(20) & 0xff, b.get(21) & 0xff, b.get(22) & 0xff, b.get(23) & 0xff, b.get(24) & 0xff);
    }

    boolean isDirectory() { return (fileAttributes & ATTR_DIRECTORY) != 0; }
}
