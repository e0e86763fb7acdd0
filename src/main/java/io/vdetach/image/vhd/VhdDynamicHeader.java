package io.vdetach.image.vhd;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 1024-byte dynamic disk header of dynamic and differencing VHDs (spec: Dynamic Disk
 * Header Format). Big-endian; the parent's unicode name is UTF-16BE.
 */
record VhdDynamicHeader(
        long dataOffset,
        long tableOffset,
        long headerVersion,
        long maxTableEntries,
        long blockSize,
        long checksum,
        byte[] parentUniqueId,
        long parentTimestamp,
        String parentUnicodeName,
        List<VhdParentLocator> parentLocators) {

    static final int SIZE = 1024;
    private static final int CHECKSUM_AT = 36;
    /** Virtual PC and Hyper-V use 2 MiB (Hyper-V also 512 KiB); larger than 256 MiB is not a real VHD. */
    static final long MAX_BLOCK_SIZE = 256L << 20;

    static VhdDynamicHeader parse(ByteBuffer b, long at) {
        b = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (!"cxsparse".equals(VhdFooter.ascii(b, 0, 8))) {
            throw new CorruptImageException("vhd", "dynamic disk header", at, "cookie is not \"cxsparse\"");
        }
        long stored = Integer.toUnsignedLong(b.getInt(CHECKSUM_AT));
        long computed = VhdFooter.onesComplementSum(b, 0, SIZE, CHECKSUM_AT);
        if (stored != computed) {
            throw new CorruptImageException("vhd", "dynamic disk header", at, String.format(
                    "checksum 0x%08x, computed 0x%08x", stored, computed));
        }
        byte[] parentId = new byte[16];
        b.get(40, parentId);
        byte[] name = new byte[512];
        b.get(64, name);
        List<VhdParentLocator> locators = new ArrayList<>(8);
        for (int i = 0; i < 8; i++) {
            VhdParentLocator l = VhdParentLocator.parse(b, i, 576 + i * VhdParentLocator.SIZE);
            if (!l.isEmpty()) locators.add(l);
        }
        VhdDynamicHeader h = new VhdDynamicHeader(
                b.getLong(8), b.getLong(16),
                Integer.toUnsignedLong(b.getInt(24)),
                Integer.toUnsignedLong(b.getInt(28)),
                Integer.toUnsignedLong(b.getInt(32)),
                stored, parentId,
                Integer.toUnsignedLong(b.getInt(56)),
                untilNul(new String(name, StandardCharsets.UTF_16BE)),
                List.copyOf(locators));
        if (h.headerVersion != 0x00010000L) {
            throw new CorruptImageException("vhd", "dynamic disk header", at + 24,
                    String.format("header version 0x%08x (expected 0x00010000)", h.headerVersion));
        }
        if (h.blockSize < 512 || h.blockSize > MAX_BLOCK_SIZE || Long.bitCount(h.blockSize) != 1) {
            throw new CorruptImageException("vhd", "dynamic disk header", at + 32, "block size " + h.blockSize
                    + " is not a power of two between 512 and " + MAX_BLOCK_SIZE);
        }
        if (h.tableOffset < 0) {
            throw new CorruptImageException("vhd", "dynamic disk header", at + 16, "table offset " + h.tableOffset);
        }
        return h;
    }

    /** Bytes of the sector bitmap in front of each block: one bit per sector, padded to a sector. */
    long bitmapBytes() {
        long bytes = (blockSize / 512 + 7) / 8;
        return (bytes + 511) / 512 * 512;
    }

    static String untilNul(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }
}
