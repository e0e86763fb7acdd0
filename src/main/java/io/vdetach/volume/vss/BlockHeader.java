package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;

/**
 * The 128-byte header of every catalog and store block ("Catalog block header", "Store block
 * header"), as stored, checked by {@link #parse}.
 *
 * @param nextOffset the next block of the same chain, from the start of the volume; 0 after the last
 * @param informationSize "Size of store information": bytes of store information after a store header block
 */
record BlockHeader(int recordType, long relativeOffset, long currentOffset, long nextOffset, long informationSize) {

    static final int SIZE = 128;

    /** "Store block record types". */
    static final int CATALOG = 0x02, BLOCK_LIST = 0x03, STORE_HEADER = 0x04, RANGE_LIST = 0x05, BITMAP = 0x06;

    static String name(int type) {
        return switch (type) {
            case CATALOG -> "catalog block";
            case BLOCK_LIST -> "store block list block";
            case STORE_HEADER -> "store header block";
            case RANGE_LIST -> "store block range list block";
            case BITMAP -> "store bitmap block";
            default -> "block of type " + type;
        };
    }

    /**
     * The header of the block read at {@code offset}: the VSS identifier, version 1, the record
     * type expected there, and its own offset (a block that says it lies elsewhere is not the one
     * the chain named).
     */
    static BlockHeader parse(ByteBuffer b, long offset, int expectedType, long volumeSize) {
        String what = name(expectedType);
        if (!Vss.guid(b, 0).equals(Vss.IDENTIFIER)) {
            throw new CorruptImageException(Vss.FORMAT, what, offset, "no VSS identifier");
        }
        int version = b.getInt(16);
        if (version != 1) throw new CorruptImageException(Vss.FORMAT, what, offset + 16, "version " + version + ", not 1");
        int type = b.getInt(20);
        if (type != expectedType) {
            throw new CorruptImageException(Vss.FORMAT, what, offset + 20, "record type " + type + ", not " + expectedType);
        }
        long current = b.getLong(32);
        if (current != offset) {
            throw new CorruptImageException(Vss.FORMAT, what, offset + 32, "says it lies at offset " + current);
        }
        long next = b.getLong(40);
        if (next != 0 && (next < 0 || next % Vss.BLOCK != 0 || next > volumeSize - Vss.BLOCK)) {
            throw new CorruptImageException(Vss.FORMAT, what, offset + 40, "next block offset " + next
                    + " is not a 16 KiB block inside the volume (" + volumeSize + " bytes)");
        }
        return new BlockHeader(type, b.getLong(24), current, next, b.getLong(48));
    }
}
