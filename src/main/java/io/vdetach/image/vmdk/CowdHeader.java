package io.vdetach.image.vmdk;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The ESX sparse (VMFSSPARSE, "COWD") extent header, little-endian (VMware "Virtual Disk
 * Format 1.1", "ESX Server Sparse Extent Header"): 32-bit sector counts, 4096 entries per
 * grain table, no compression and no zero grains.
 */
record CowdHeader(int version, int flags, long numSectors, long grainSize, long gdOffset, long numGDEntries) {

    static final int MAGIC = 0x44574f43; // "COWD"
    static final int GTES_PER_GT = 4096;

    static CowdHeader parse(ByteBuffer b, long at, String file) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < 32 || b.getInt(0) != MAGIC) {
            throw new CorruptImageException("vmdk", "COWD header", at, "bad magic in " + file);
        }
        long grain = Integer.toUnsignedLong(b.getInt(16));
        if (grain < 1 || grain > SparseExtentHeader.MAX_GRAIN_SECTORS || Long.bitCount(grain) != 1) {
            throw new CorruptImageException("vmdk", "COWD header.grainSize", at + 16, "grain of " + grain + " sectors");
        }
        return new CowdHeader(b.getInt(4), b.getInt(8), Integer.toUnsignedLong(b.getInt(12)), grain,
                Integer.toUnsignedLong(b.getInt(20)), Integer.toUnsignedLong(b.getInt(24)));
    }
}
