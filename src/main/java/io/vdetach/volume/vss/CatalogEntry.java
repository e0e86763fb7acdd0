package io.vdetach.volume.vss;

import java.nio.ByteBuffer;
import java.util.UUID;

/** One 128-byte entry of a catalog block ("Catalog entry"), as stored. */
sealed interface CatalogEntry {

    int SIZE = 128;

    /**
     * Catalog entry type 0x02: a shadow copy.
     *
     * @param creationTime FILETIME (100 ns since 1601, UTC)
     */
    record ShadowCopy(long at, long volumeSize, UUID storeId, long sequence, long flags, long creationTime)
            implements CatalogEntry {}

    /**
     * Catalog entry type 0x03: where that shadow copy's store lies; offsets from the start of the
     * volume, 0 where there is none (range list, bitmaps). Checked when the store is read.
     */
    record StoreLocation(long at, long blockListOffset, UUID storeId, long storeHeaderOffset, long rangeListOffset,
                         long bitmapOffset, long previousBitmapOffset) implements CatalogEntry {}

    /** A type this reader does not know (the write-up knows 0x01 to 0x03). */
    record Unknown(long at, long type) implements CatalogEntry {}

    /** The entry at {@code pos} of {@code block} (read at volume offset {@code blockOffset}); null for an empty or unused one. */
    static CatalogEntry parse(ByteBuffer block, int pos, long blockOffset) {
        long at = blockOffset + pos;
        long type = block.getLong(pos);
        return switch ((int) Math.min(type, Integer.MAX_VALUE)) {
            case 0, 1 -> null; // empty (all zeros) or "Unused catalog entry (type 0x01)"
            case 2 -> new ShadowCopy(at, block.getLong(pos + 8), Vss.guid(block, pos + 16), block.getLong(pos + 32),
                    block.getLong(pos + 40), block.getLong(pos + 48));
            case 3 -> new StoreLocation(at, block.getLong(pos + 8), Vss.guid(block, pos + 16), block.getLong(pos + 32),
                    block.getLong(pos + 40), block.getLong(pos + 48), block.getLong(pos + 72));
            default -> new Unknown(at, type);
        };
    }
}
