package io.vdetach.image.vmdk;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The hosted sparse extent header, little-endian, in sector 0 of a SPARSE extent (VMware
 * "Virtual Disk Format 1.1", "Hosted Sparse Extent Header"); sizes and offsets in sectors.
 * A streamOptimized extent may say gdOffset = GD_AT_END and keep the real header in a
 * footer, 1024 bytes before the end of the file.
 */
record SparseExtentHeader(
        int version,
        int flags,
        long capacity,
        long grainSize,
        long descriptorOffset,
        long descriptorSize,
        int numGTEsPerGT,
        long rgdOffset,
        long gdOffset,
        long overHead,
        boolean uncleanShutdown,
        int compressAlgorithm) {

    static final int MAGIC = 0x564d444b; // "KDMV"
    static final int SIZE = 512;
    static final long GD_AT_END = -1L;
    static final int FLAG_VALID_NEWLINE_TEST = 1;
    static final int FLAG_ZEROED_GRAIN_GTE = 1 << 2;
    static final int FLAG_COMPRESSED = 1 << 16;
    static final int FLAG_MARKERS = 1 << 17;
    static final int COMPRESSION_DEFLATE = 1;
    /** Grains above 1 MiB (2048 sectors) are refused: VMware writes 64 KiB, and a grain is decompressed whole. */
    static final long MAX_GRAIN_SECTORS = 2048;
    /** Grain tables above 4096 entries are refused (hosted sparse uses 512, ESX COWD 4096). */
    static final int MAX_GTES_PER_GT = 4096;
    /** Capacities whose byte size does not fit in 63 bits are refused. */
    static final long MAX_CAPACITY = Long.MAX_VALUE / 512;

    static SparseExtentHeader parse(ByteBuffer b, long at, String file) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < SIZE) throw new CorruptImageException("vmdk", "sparse extent header", at, file + " is shorter than a header");
        if (b.getInt(0) != MAGIC) {
            throw new CorruptImageException("vmdk", "sparse extent header", at, String.format("bad magic 0x%08x in %s", b.getInt(0), file));
        }
        int version = b.getInt(4);
        if (version < 1 || version > 3) {
            throw new UnsupportedImageException("vmdk", "hosted sparse extent version " + Integer.toUnsignedString(version) + " (" + file + ")");
        }
        long capacity = b.getLong(12);
        long grainSize = b.getLong(20);
        int gtes = b.getInt(44);
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new CorruptImageException("vmdk", "sparse extent header.capacity", at + 12, "capacity "
                    + Long.toUnsignedString(capacity) + " sectors does not fit in 63 bits of bytes");
        }
        if (grainSize < 1 || grainSize > MAX_GRAIN_SECTORS || Long.bitCount(grainSize) != 1) {
            throw new CorruptImageException("vmdk", "sparse extent header.grainSize", at + 20, "grain of " + grainSize
                    + " sectors (must be a power of two up to " + MAX_GRAIN_SECTORS + ")");
        }
        if (gtes < 1 || gtes > MAX_GTES_PER_GT) {
            throw new CorruptImageException("vmdk", "sparse extent header.numGTEsPerGT", at + 44, "numGTEsPerGT "
                    + Integer.toUnsignedString(gtes) + " (must be 1.." + MAX_GTES_PER_GT + ")");
        }
        int flags = b.getInt(8);
        // flags bit 0: the four end-of-line bytes are valid; a file moved by FTP in text mode changes them
        if ((flags & FLAG_VALID_NEWLINE_TEST) != 0
                && (b.get(73) != '\n' || b.get(74) != ' ' || b.get(75) != '\r' || b.get(76) != '\n')) {
            throw new CorruptImageException("vmdk", "sparse extent header.singleEndLineChar", at + 73, file
                    + ": end-of-line test bytes are damaged (was the file copied in text mode?)");
        }
        int compress = b.getShort(77) & 0xffff;
        if ((flags & FLAG_COMPRESSED) != 0 && compress != COMPRESSION_DEFLATE) {
            throw new UnsupportedImageException("vmdk", "grain compression algorithm " + compress + " (" + file + ")");
        }
        return new SparseExtentHeader(version, flags, capacity, grainSize, b.getLong(28), b.getLong(36), gtes,
                b.getLong(48), b.getLong(56), b.getLong(64), b.get(72) != 0, compress);
    }

    boolean compressed() { return (flags & FLAG_COMPRESSED) != 0; }

    boolean zeroedGrainGte() { return (flags & FLAG_ZEROED_GRAIN_GTE) != 0; }

    boolean markers() { return (flags & FLAG_MARKERS) != 0; }
}
