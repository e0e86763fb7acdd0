package io.vdetach.guestfs.exfat;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Main (or Backup) Boot Sector of an exFAT volume, as stored (exFAT specification section 3.1),
 * checked by {@link #validate}. Sector and cluster counts are in units of the volume's own sectors.
 */
record ExfatBootSector(long partitionOffset, long volumeLength, long fatOffset, long fatLength,
                       long clusterHeapOffset, long clusterCount, long firstClusterOfRootDirectory,
                       long volumeSerialNumber, int fileSystemRevision, int volumeFlags,
                       int bytesPerSectorShift, int sectorsPerClusterShift, int numberOfFats) {

    static final String FORMAT = "exfat";
    /** Section 3.1.14: cluster numbers 0xFFFFFFF6 and up are not clusters. */
    static final long MAX_CLUSTER_COUNT = 0xFFFFFFF5L;
    /** Section 3.1.8: the FAT starts after the 24 sectors of the main and backup boot regions. */
    private static final int MIN_FAT_OFFSET = 24;
    /** Section 3.1.10: clusters are at most 32 MiB (2^25 bytes). */
    private static final int MAX_CLUSTER_SHIFT = 25;

    static ExfatBootSector parse(ByteBuffer sector, long offsetForMessages) {
        ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = new byte[8];
        b.get(3, name);
        if (!new String(name, java.nio.charset.StandardCharsets.ISO_8859_1).equals("EXFAT   ")) {
            throw bad(offsetForMessages + 3, "no \"EXFAT   \" file system name");
        }
        if ((b.getShort(510) & 0xffff) != 0xaa55) throw bad(offsetForMessages + 510, "no 0x55AA boot signature");
        for (int i = 11; i < 64; i++) {
            if (b.get(i) != 0) throw bad(offsetForMessages + i, "MustBeZero field holds a non-zero byte (a FAT BPB?)");
        }
        return new ExfatBootSector(b.getLong(64), b.getLong(72), u32(b, 80), u32(b, 84), u32(b, 88), u32(b, 92),
                u32(b, 96), u32(b, 100), b.getShort(104) & 0xffff, b.getShort(106) & 0xffff, b.get(108) & 0xff,
                b.get(109) & 0xff, b.get(110) & 0xff);
    }

    private static long u32(ByteBuffer b, int at) { return b.getInt(at) & 0xffffffffL; }

    int bytesPerSector() { return 1 << bytesPerSectorShift; }

    int clusterSize() { return 1 << (bytesPerSectorShift + sectorsPerClusterShift); }

    long heapStart() { return clusterHeapOffset << bytesPerSectorShift; }

    /** Checks every field against the spec's ranges and the volume's real size. */
    ExfatBootSector validate(long volumeSize, long at) {
        if (bytesPerSectorShift < 9 || bytesPerSectorShift > 12) {
            throw bad(at + 108, "BytesPerSectorShift " + bytesPerSectorShift + " is outside 9..12");
        }
        if (sectorsPerClusterShift > MAX_CLUSTER_SHIFT - bytesPerSectorShift) {
            throw bad(at + 109, "SectorsPerClusterShift " + sectorsPerClusterShift + " makes clusters above 32 MiB");
        }
        if ((fileSystemRevision >>> 8) != 1) {
            throw new UnsupportedImageException(FORMAT, "file system revision " + (fileSystemRevision >>> 8) + "."
                    + (fileSystemRevision & 0xff));
        }
        if (numberOfFats != 1 && numberOfFats != 2) throw bad(at + 110, "NumberOfFats " + numberOfFats);
        if (volumeLength < (1L << 20) >>> bytesPerSectorShift || volumeLength > (Long.MAX_VALUE >>> 12)) {
            throw bad(at + 72, "VolumeLength " + volumeLength + " sectors");
        }
        if (fatOffset < MIN_FAT_OFFSET) throw bad(at + 80, "FatOffset " + fatOffset + " is below 24");
        if (clusterCount == 0 || clusterCount > MAX_CLUSTER_COUNT
                || clusterCount > (Math.max(0, volumeLength - clusterHeapOffset)) >>> sectorsPerClusterShift) {
            throw bad(at + 92, "ClusterCount " + clusterCount + " does not fit the volume length " + volumeLength);
        }
        if ((fatLength << bytesPerSectorShift) / 4 < clusterCount + 2) {
            throw bad(at + 84, "FatLength " + fatLength + " sectors cannot hold " + (clusterCount + 2) + " entries");
        }
        if (clusterHeapOffset < fatOffset + fatLength * numberOfFats) {
            throw bad(at + 88, "ClusterHeapOffset " + clusterHeapOffset + " overlaps the FAT");
        }
        if (firstClusterOfRootDirectory < 2 || firstClusterOfRootDirectory > clusterCount + 1) {
            throw bad(at + 96, "root directory cluster " + firstClusterOfRootDirectory + " is outside 2.." + (clusterCount + 1));
        }
        long heapEnd = heapStart() + clusterCount * clusterSize();
        if (heapEnd > volumeSize) {
            throw bad(at + 92, "the cluster heap ends at byte " + heapEnd + ", past the volume's " + volumeSize + " bytes");
        }
        return this;
    }

    /**
     * Section 3.4, BootChecksum: over the 11 sectors before the checksum sector, skipping
     * VolumeFlags (bytes 106-107) and PercentInUse (112) of the first, which change in place.
     */
    static int bootChecksum(ByteBuffer region, int bytesPerSector) {
        int sum = 0;
        int n = 11 * bytesPerSector;
        for (int i = 0; i < n; i++) {
            if (i == 106 || i == 107 || i == 112) continue;
            sum = ((sum & 1) != 0 ? 0x80000000 : 0) + (sum >>> 1) + (region.get(i) & 0xff);
        }
        return sum;
    }

    private static CorruptImageException bad(long offset, String detail) {
        return new CorruptImageException(FORMAT, "boot sector", offset, detail);
    }
}
