package io.vdetach.image.qcow2;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The qcow2 header, big-endian, at offset 0 (QEMU docs/interop/qcow2.txt, "Header").
 * Version 2 headers end at byte 72; version 3 adds the feature words, refcount order and
 * header length, and (when header_length > 104) the compression type byte.
 */
record Qcow2Header(
        int version,
        long backingFileOffset,
        int backingFileSize,
        int clusterBits,
        long size,
        int cryptMethod,
        int l1Size,
        long l1TableOffset,
        long refcountTableOffset,
        int refcountTableClusters,
        int nbSnapshots,
        long snapshotsOffset,
        long incompatibleFeatures,
        long compatibleFeatures,
        long autoclearFeatures,
        int refcountOrder,
        int headerLength,
        int compressionType) {

    static final int MAGIC = 0x514649fb; // "QFI\xfb"
    static final int V2_HEADER_LENGTH = 72;
    static final int V3_MIN_HEADER_LENGTH = 104;
    /** Bytes of the header that parse() needs to see. */
    static final int PARSE_LENGTH = 112;

    // spec: "cluster_bits ... Must not be less than 9 (i.e. 512 byte clusters)"; QEMU caps it at 21 (2 MiB).
    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 21;

    static final long INCOMPAT_DIRTY = 1;
    static final long INCOMPAT_CORRUPT = 1 << 1;
    static final long INCOMPAT_DATA_FILE = 1 << 2;
    static final long INCOMPAT_COMPRESSION = 1 << 3;
    static final long INCOMPAT_EXTL2 = 1 << 4;
    static final long INCOMPAT_KNOWN = 0x1f;
    static final long AUTOCLEAR_DATA_FILE_RAW = 1 << 1;

    /**
     * Parses the first bytes of a qcow2 file ({@code b} holds at least {@link #PARSE_LENGTH}
     * bytes, zero-padded when the file is shorter).
     */
    static Qcow2Header parse(ByteBuffer b, long at, long fileSize) {
        b = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (fileSize < V2_HEADER_LENGTH) {
            throw new CorruptImageException("qcow2", "header", at, "file is only " + fileSize + " bytes long");
        }
        int magic = b.getInt(0);
        if (magic != MAGIC) {
            throw new CorruptImageException("qcow2", "header", at, String.format("bad magic 0x%08x", magic));
        }
        int version = b.getInt(4);
        if (version == 1) throw new UnsupportedImageException("qcow2", "qcow version 1 (the original qcow format)");
        if (version != 2 && version != 3) {
            throw new CorruptImageException("qcow2", "header.version", at + 4, "version " + Integer.toUnsignedString(version)
                    + " (expected 2 or 3)");
        }
        int clusterBits = b.getInt(20);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new CorruptImageException("qcow2", "header.cluster_bits", at + 20, "cluster_bits " + clusterBits
                    + " outside " + MIN_CLUSTER_BITS + ".." + MAX_CLUSTER_BITS);
        }
        long size = b.getLong(24);
        if (size < 0) {
            throw new CorruptImageException("qcow2", "header.size", at + 24, "virtual size " + Long.toUnsignedString(size)
                    + " does not fit in 63 bits");
        }
        long incompat = 0, compat = 0, autoclear = 0;
        int refcountOrder = 4, headerLength = V2_HEADER_LENGTH, compressionType = 0;
        if (version == 3) {
            incompat = b.getLong(72);
            compat = b.getLong(80);
            autoclear = b.getLong(88);
            refcountOrder = b.getInt(96);
            headerLength = b.getInt(100);
            if (headerLength < V3_MIN_HEADER_LENGTH || headerLength > (1 << clusterBits) || headerLength % 8 != 0) {
                throw new CorruptImageException("qcow2", "header.header_length", at + 100, "header_length "
                        + Integer.toUnsignedString(headerLength) + " (must be >= 104, a multiple of 8, within the first cluster)");
            }
            if (headerLength > V3_MIN_HEADER_LENGTH) compressionType = b.get(104) & 0xff;
            if (refcountOrder > 6) {
                throw new CorruptImageException("qcow2", "header.refcount_order", at + 96, "refcount_order " + refcountOrder + " > 6");
            }
        }
        if ((compressionType != 0) != ((incompat & INCOMPAT_COMPRESSION) != 0)) {
            throw new CorruptImageException("qcow2", "header.compression_type", at + 104, "compression_type "
                    + compressionType + " disagrees with incompatible feature bit 3");
        }
        return new Qcow2Header(version, b.getLong(8), b.getInt(16), clusterBits, size, b.getInt(32), b.getInt(36),
                b.getLong(40), b.getLong(48), b.getInt(56), b.getInt(60), b.getLong(64),
                incompat, compat, autoclear, refcountOrder, headerLength, compressionType);
    }

    long clusterSize() { return 1L << clusterBits; }

    boolean dirty() { return (incompatibleFeatures & INCOMPAT_DIRTY) != 0; }

    boolean corruptBit() { return (incompatibleFeatures & INCOMPAT_CORRUPT) != 0; }

    boolean externalDataFile() { return (incompatibleFeatures & INCOMPAT_DATA_FILE) != 0; }

    boolean extendedL2() { return (incompatibleFeatures & INCOMPAT_EXTL2) != 0; }

    boolean dataFileRaw() { return (autoclearFeatures & AUTOCLEAR_DATA_FILE_RAW) != 0; }

    /** Where header extensions start: right after the header (spec, "Header extensions"). */
    int extensionsStart() { return version == 2 ? V2_HEADER_LENGTH : headerLength; }
}
