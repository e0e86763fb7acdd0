package io.vdetach.image.qcow2;

/**
 * Bit layout of L1 and L2 entries (spec, "Cluster mapping" and "Compressed Clusters
 * Descriptor"); the decoding of one entry lives in {@link ClusterMap#classify}.
 */
final class L2Entry {
    private L2Entry() {}

    /** L1 entry bits 9-55: offset of the L2 table. */
    static final long L1_OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    /** Standard cluster descriptor bits 9-55: host cluster offset. */
    static final long OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    /** Bit 62: the cluster is compressed. */
    static final long COMPRESSED = 1L << 62;
    /** Bit 63: refcount is exactly one ("COPIED"); with an external data file it also marks offset 0 as allocated. */
    static final long COPIED = 1L << 63;
    /** Standard descriptor bit 0: the cluster reads as zeros (version 3). */
    static final long ZERO = 1L;
    /** Extended L2: 32 subclusters per cluster. */
    static final int SUBCLUSTERS = 32;

    /** Number of low bits holding the compressed data's host offset: x = 62 - (cluster_bits - 8). */
    static int compressedOffsetBits(int clusterBits) {
        return 62 - (clusterBits - 8);
    }
}
