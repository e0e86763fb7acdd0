package io.vdetach.volume.vss;

import java.nio.ByteBuffer;
import java.util.UUID;

/** Constants of the format shared by its structures ("Overview"), and its GUID encoding. */
final class Vss {
    private Vss() {}

    /** The format name in error messages. */
    static final String FORMAT = "vss";

    /** Catalog, store header, block list, range list and bitmap blocks, and preserved data: 16 KiB each. */
    static final int BLOCK = 0x4000;

    /** Overlay bitmaps count 512-byte sectors of a block ("Successive block descriptors"). */
    static final int SECTOR = 512;

    /** _VSP_DIFF_AREA_FILE_GUID, the identifier at the start of every VSS header and block. */
    static final UUID IDENTIFIER = UUID.fromString("3808876b-c176-4e48-b7ae-04046e6cc752");

    /** A GUID as Windows stores it: Data1-3 little-endian, Data4 as bytes. */
    static UUID guid(ByteBuffer b, int at) {
        long d1 = b.getInt(at) & 0xffffffffL;
        long d2 = b.getShort(at + 4) & 0xffffL;
        long d3 = b.getShort(at + 6) & 0xffffL;
        long lsb = 0;
        for (int i = 8; i < 16; i++) lsb = lsb << 8 | (b.get(at + i) & 0xff);
        return new UUID(d1 << 32 | d2 << 16 | d3, lsb);
    }
}
