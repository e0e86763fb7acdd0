package io.vdetach.guestfs.fat;

import io.vdetach.error.CorruptImageException;

/**
 * The validated geometry of a FAT volume, derived from its {@link BiosParameterBlock}: every
 * offset here lies inside the volume, so code past construction never re-checks them.
 *
 * @param fatOffset byte offset of the FAT in use
 * @param rootDirOffset FAT12/16: byte offset of the fixed root directory; FAT32: unused (0)
 * @param rootDirBytes FAT12/16: size of the fixed root directory
 * @param rootCluster FAT32: first cluster of the root directory; FAT12/16: 0
 * @param clusterCount clusters in the data region; valid cluster numbers are 2 .. clusterCount + 1
 */
record FatLayout(FatType type, int bytesPerSector, int clusterSize, long fatOffset, long fatBytes,
                 long rootDirOffset, int rootDirBytes, long rootCluster, long dataStart, long clusterCount) {

    private static final String FORMAT = BiosParameterBlock.FORMAT;

    /** Largest sectors-per-cluster value: the field is a byte holding a power of two. */
    private static final int MAX_SECTORS_PER_CLUSTER = 128;

    /** More FATs than this is not something any formatter writes; it bounds the metadata area. */
    private static final int MAX_FATS = 16;

    /** FAT32 cluster numbers are 28 bits wide; 0x0FFFFFF7 and up are markers (fatgen103 section 4). */
    private static final long MAX_FAT32_CLUSTERS = 0x0FFFFFF5L - 1;

    static FatLayout of(BiosParameterBlock p, long volumeSize) {
        int bps = p.bytesPerSector();
        if (bps < 512 || bps > 4096 || Integer.bitCount(bps) != 1) {
            throw bad(11, "bytes per sector " + bps + " is not 512, 1024, 2048 or 4096");
        }
        int spc = p.sectorsPerCluster();
        if (spc == 0 || spc > MAX_SECTORS_PER_CLUSTER || Integer.bitCount(spc) != 1) {
            throw bad(13, "sectors per cluster " + spc + " is not a power of two from 1 to 128");
        }
        if (p.reservedSectors() == 0) throw bad(14, "reserved sector count is 0");
        if (p.numFats() == 0 || p.numFats() > MAX_FATS) throw bad(16, "number of FATs " + p.numFats());
        if (p.media() != 0xF0 && p.media() < 0xF8) throw bad(21, String.format("media byte 0x%02X", p.media()));
        long totalSectors = p.totalSectors16() != 0 ? p.totalSectors16() : p.totalSectors32();
        if (totalSectors == 0) throw bad(19, "total sector count is 0");
        if (totalSectors > volumeSize / bps) {
            throw bad(19, "total sectors " + totalSectors + " x " + bps + " bytes exceed the volume's " + volumeSize + " bytes");
        }
        long fatSectors = p.fatSize16() != 0 ? p.fatSize16() : p.fatSize32();
        if (fatSectors == 0) throw bad(22, "FAT size is 0");
        if ((long) p.rootEntryCount() * 32 % bps != 0) {
            throw bad(17, "root entry count " + p.rootEntryCount() + " does not fill whole sectors");
        }
        long rootDirSectors = (long) p.rootEntryCount() * 32 / bps;
        long metaSectors = p.reservedSectors() + p.numFats() * fatSectors + rootDirSectors;
        if (metaSectors >= totalSectors) {
            throw bad(14, "reserved, FAT and root directory sectors (" + metaSectors + ") leave no data region in "
                    + totalSectors + " sectors");
        }
        long clusters = (totalSectors - metaSectors) / spc;
        if (clusters == 0) throw bad(13, "no whole cluster in the data region");
        FatType type = FatType.ofClusterCount(clusters);
        if (type != FatType.FAT32 && p.fatSize16() == 0 && p.rootEntryCount() == 0) {
            // mkfs.vfat -F 32 makes small FAT32 volumes below the spec's 65,525 clusters (with a warning);
            // Linux and dosfstools read them as FAT32 by their layout, and so do we (FatFilesystem warns).
            type = FatType.FAT32;
        }
        int entryBits = switch (type) { case FAT12 -> 12; case FAT16 -> 16; case FAT32 -> 32; };
        if (fatSectors * bps * 8 / entryBits < clusters + 2) {
            throw bad(22, "FAT of " + fatSectors + " sectors cannot hold " + (clusters + 2) + " " + type + " entries");
        }
        int activeFat = 0;
        long rootCluster = 0;
        if (type == FatType.FAT32) {
            if (clusters > MAX_FAT32_CLUSTERS) throw bad(32, clusters + " clusters are more than FAT32 can number");
            if (p.fatSize16() != 0 || p.rootEntryCount() != 0) {
                throw bad(17, clusters + " clusters make this FAT32 (the spec's cluster-count rule), but the BPB has a "
                        + "FAT12/16 root entry count " + p.rootEntryCount() + " or 16-bit FAT size " + p.fatSize16());
            }
            if (p.fsVersion() != 0) throw bad(42, "FAT32 version " + p.fsVersion() + " is not 0.0");
            // fatgen103 section 3.3 BPB_ExtFlags: bit 7 set means only the FAT in bits 0-3 is active.
            if ((p.extFlags() & 0x80) != 0) {
                activeFat = p.extFlags() & 0x0f;
                if (activeFat >= p.numFats()) throw bad(40, "active FAT " + activeFat + " of " + p.numFats());
            }
            rootCluster = p.rootCluster();
            if (rootCluster < 2 || rootCluster > clusters + 1) {
                throw bad(44, "root cluster " + rootCluster + " is outside 2.." + (clusters + 1));
            }
        } else if (p.fatSize16() == 0 || p.rootEntryCount() == 0) {
            throw bad(22, clusters + " clusters make this " + type + " (the spec's cluster-count rule), but the BPB "
                    + "has the FAT32 layout (no 16-bit FAT size or no root entries)");
        }
        long fatOffset = ((long) p.reservedSectors() + activeFat * fatSectors) * bps;
        long rootDirOffset = type == FatType.FAT32 ? 0 : ((long) p.reservedSectors() + p.numFats() * fatSectors) * bps;
        long dataStart = metaSectors * bps;
        return new FatLayout(type, bps, spc * bps, fatOffset, fatSectors * bps, rootDirOffset,
                type == FatType.FAT32 ? 0 : (int) (rootDirSectors * bps), rootCluster, dataStart, clusters);
    }

    /** Byte offset on the volume of the first byte of {@code cluster} (2 .. clusterCount + 1). */
    long clusterOffset(long cluster) {
        return dataStart + (cluster - 2) * clusterSize;
    }

    boolean validCluster(long cluster) {
        return cluster >= 2 && cluster <= clusterCount + 1;
    }

    private static CorruptImageException bad(int field, String detail) {
        return new CorruptImageException(FORMAT, "BIOS parameter block", field, detail);
    }
}
