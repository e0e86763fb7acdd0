package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The NTFS boot sector's BIOS parameter block, as far as reading files needs it
 * (Microsoft "NTFS technical reference", boot sector layout; offsets are from the sector start).
 *
 * @param bytesPerSector 256..4096, a power of two
 * @param clusterSize bytes per cluster, a power of two up to {@link #MAX_CLUSTER}
 * @param totalSectors sectors in the volume, excluding the backup boot sector
 * @param mftLcn first cluster of $MFT
 * @param mftRecordSize bytes per MFT record (file record segment)
 * @param indexRecordSize bytes per index buffer
 */
record BootSector(int bytesPerSector, int clusterSize, long totalSectors, long mftLcn, long mftMirrLcn,
                  int mftRecordSize, int indexRecordSize, long serial) {

    /** Windows formats clusters of at most 2 MiB. */
    static final int MAX_CLUSTER = 2 << 20;
    /** MFT records are 1 KiB or 4 KiB in practice; 64 KiB bounds a hostile value. */
    static final int MAX_RECORD = 64 << 10;

    static BootSector parse(ByteBuffer raw, long offsetForMessages) {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < 512) throw corrupt(offsetForMessages, "sector shorter than 512 bytes");
        if (b.getLong(3) != 0x202020205346544eL) throw corrupt(offsetForMessages, "no \"NTFS    \" OEM id");
        if ((b.getShort(510) & 0xffff) != 0xaa55) throw corrupt(offsetForMessages, "no 0x55AA end marker");
        int bps = b.getShort(0x0b) & 0xffff;
        if (Integer.bitCount(bps) != 1 || bps < 256 || bps > 4096) throw corrupt(offsetForMessages, "bytes per sector " + bps);
        int spc = b.get(0x0d) & 0xff;
        long cluster;
        // Values above 0x80 are a negative power of two: 2^(256 - v) sectors (large clusters, Windows 10 1903+).
        if (spc == 0) throw corrupt(offsetForMessages, "zero sectors per cluster");
        if (spc <= 0x80) {
            if (Integer.bitCount(spc) != 1) throw corrupt(offsetForMessages, "sectors per cluster " + spc);
            cluster = (long) bps * spc;
        } else {
            int shift = 256 - spc;
            if (shift > 20) throw corrupt(offsetForMessages, "sectors per cluster exponent " + shift);
            cluster = (long) bps << shift;
        }
        if (cluster > MAX_CLUSTER) throw corrupt(offsetForMessages, "cluster size " + cluster + " above 2 MiB");
        long total = b.getLong(0x28);
        long mft = b.getLong(0x30);
        long mirr = b.getLong(0x38);
        if (total <= 0) throw corrupt(offsetForMessages, "total sectors " + total);
        long clusters = Math.multiplyHigh(total, bps) != 0 ? -1 : total * bps / cluster;
        if (clusters <= 0) throw corrupt(offsetForMessages, "volume size overflows");
        if (mft <= 0 || mft >= clusters) throw corrupt(offsetForMessages, "$MFT cluster " + mft + " outside the volume");
        int record = recordSize(b.get(0x40), (int) cluster, offsetForMessages, "MFT record");
        int index;
        try {
            index = recordSize(b.get(0x44), (int) cluster, offsetForMessages, "index record");
        } catch (CorruptImageException e) {
            index = 0; // index buffers are not read (the tree comes from $FILE_NAME parent references)
        }
        if (record < 256 || record > MAX_RECORD) throw corrupt(offsetForMessages, "MFT record size " + record);
        return new BootSector(bps, (int) cluster, total, mft, mirr, record, index, b.getLong(0x48));
    }

    long clusters() { return totalSectors * bytesPerSector / clusterSize; }

    /** Positive: clusters per record; negative: the record is 2^-v bytes. */
    private static int recordSize(byte v, int cluster, long at, String what) {
        if (v > 0) {
            long s = (long) v * cluster;
            if (s > MAX_RECORD) throw corrupt(at, what + " size " + s);
            return (int) s;
        }
        int shift = -v;
        if (shift < 8 || shift > 16) throw corrupt(at, what + " size exponent " + shift);
        return 1 << shift;
    }

    private static CorruptImageException corrupt(long at, String detail) {
        return new CorruptImageException("ntfs", "boot sector", at, detail);
    }
}
