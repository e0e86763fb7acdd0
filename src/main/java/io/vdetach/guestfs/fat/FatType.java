package io.vdetach.guestfs.fat;

/** The three FAT widths; which one a volume uses follows from its cluster count alone (fatgen103 section 3.5). */
enum FatType {
    FAT12(0xFF8, 0xFF7), FAT16(0xFFF8, 0xFFF7), FAT32(0x0FFFFFF8, 0x0FFFFFF7);

    /** Entries at or above this mark the end of a chain. */
    final long endOfChain;
    /** The bad-cluster marker. */
    final long bad;

    FatType(long endOfChain, long bad) {
        this.endOfChain = endOfChain;
        this.bad = bad;
    }

    /** fatgen103 section 3.5: "This is the one and only way that FAT type is determined." */
    static FatType ofClusterCount(long clusters) {
        if (clusters < 4085) return FAT12;
        if (clusters < 65525) return FAT16;
        return FAT32;
    }

    String typeName() { return name().toLowerCase(java.util.Locale.ROOT); }
}
