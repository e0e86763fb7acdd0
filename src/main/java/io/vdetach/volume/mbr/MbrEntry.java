package io.vdetach.volume.mbr;

import java.nio.ByteBuffer;

/** One 16-byte partition entry of an MBR or EBR; CHS fields are ignored, LBA fields rule. */
record MbrEntry(int status, int type, long firstLba, long sectors) {

    static MbrEntry parse(ByteBuffer sector, int at) {
        int status = sector.get(at) & 0xff;
        int type = sector.get(at + 4) & 0xff;
        long first = Integer.toUnsignedLong(sector.getInt(at + 8));
        long count = Integer.toUnsignedLong(sector.getInt(at + 12));
        return new MbrEntry(status, type, first, count);
    }

    boolean isEmpty() {
        return type == 0 || sectors == 0;
    }

    boolean isExtended() {
        return type == 0x05 || type == 0x0f || type == 0x85;
    }
}
