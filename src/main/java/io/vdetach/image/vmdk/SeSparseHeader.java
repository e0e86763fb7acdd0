package io.vdetach.image.vmdk;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The constant header of an SESparse extent (ESXi 6.5+ snapshot deltas, "seSparse"; the layout
 * QEMU's VMDK driver reads, u64 fields in sector units unless said): magic 0xcafebabe, version
 * 0x200000001, capacity, grain size (8 sectors), grain table size (64 sectors: 4096 u64 entries),
 * flags, four reserved words, then (offset, size) pairs of the volatile header, journal header,
 * journal, grain directory, grain tables, free bitmap, back map and grains.
 */
record SeSparseHeader(long capacity, long volatileHeader, long gdOffset, long gdSize, long gtOffset, long gtSize,
        long grainsOffset) {
    static final long MAGIC = 0xcafebabeL;
    static final long VOLATILE_MAGIC = 0xcafecafeL;
    static final long VERSION = 0x200000001L;
    static final int GRAIN_SECTORS = 8;
    static final int GT_SECTORS = 64;
    /** Capacities above 64 TiB are refused: ESXi's limit for a VMDK. */
    static final long MAX_CAPACITY = 1L << 37;

    static SeSparseHeader parse(ByteBuffer b, long fileSize, String name) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 208 || b.getLong(0) != MAGIC) {
            throw new CorruptImageException("vmdk", "SESparse header magic", 0, name + " is not an SESparse extent");
        }
        if (b.getLong(8) != VERSION) {
            throw new UnsupportedImageException("vmdk", "SESparse header version", 8, String.format("SESparse version %#x in %s",
                    b.getLong(8), name));
        }
        long capacity = b.getLong(16);
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new CorruptImageException("vmdk", "SESparse header capacity", 16, name + ": capacity of " + capacity
                    + " sectors (at most " + MAX_CAPACITY + ")");
        }
        if (b.getLong(24) != GRAIN_SECTORS || b.getLong(32) != GT_SECTORS || b.getLong(40) != 0) {
            throw new UnsupportedImageException("vmdk", "SESparse header grain size", 24, String.format("SESparse grains of %d"
                    + " sectors, grain tables of %d sectors, flags %#x in %s (only 8, 64 and 0 are known)", b.getLong(24),
                    b.getLong(32), b.getLong(40), name));
        }
        long sectors = fileSize / 512;
        for (int at = 80; at < 208; at += 16) {
            long off = b.getLong(at), size = b.getLong(at + 8);
            // the grains region may reach past the end of the file: only its allocated grains are stored
            if (off < 0 || size < 0 || off > sectors || (at != 192 && size > sectors - off)) {
                throw new CorruptImageException("vmdk", "SESparse header region", at, name + ": region (" + off + ", " + size
                        + " sectors) lies outside the file (" + sectors + " sectors)");
            }
        }
        return new SeSparseHeader(capacity, b.getLong(80), b.getLong(128), b.getLong(136), b.getLong(144), b.getLong(152),
                b.getLong(192));
    }
}
