package io.vdetach.guestfs.exfat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The Stream Extension directory entry, type 0xC0 (section 7.6), as stored. */
record StreamExtensionEntry(int generalSecondaryFlags, int nameLength, int nameHash, long validDataLength,
                            long firstCluster, long dataLength) {

    static final int TYPE = 0xC0;

    static StreamExtensionEntry parse(ByteBuffer e) {
        ByteBuffer b = e.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new StreamExtensionEntry(b.get(1) & 0xff, b.get(3) & 0xff, b.getShort(4) & 0xffff, b.getLong(8),
                b.getInt(20) & 0xffffffffL, b.getLong(24));
    }

    /** GeneralSecondaryFlags bit 0 (section 6.3.4.1). */
    boolean allocationPossible() { return (generalSecondaryFlags & 1) != 0; }

    /** GeneralSecondaryFlags bit 1: the clusters are contiguous and the FAT is not used. */
    boolean noFatChain() { return (generalSecondaryFlags & 2) != 0; }
}
