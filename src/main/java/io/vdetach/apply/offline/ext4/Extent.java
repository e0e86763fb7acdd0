package io.vdetach.apply.offline.ext4;

/**
 * One leaf extent (4.2.3, ext4_extent): {@code length} blocks of the file from {@code logical}
 * stored from {@code physical}; {@code unwritten} extents read as zeros.
 */
public record Extent(long logical, long physical, int length, boolean unwritten) {
    /** Largest initialized extent: ee_len is 16 bits and values above 32768 mean "unwritten". */
    public static final int MAX_LEN = 32768;

    public long logicalEnd() { return logical + length; }
}
