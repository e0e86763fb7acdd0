package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;

/**
 * One 32-byte entry of a store block list ("Block descriptor"), as stored.
 *
 * @param at where it lies in the volume, for messages
 * @param original the volume offset of the 16 KiB block it describes
 * @param relative for a forwarder, the volume offset of the block whose newer state this block had
 * @param storeOffset the volume offset of the preserved copy (data and overlay descriptors)
 * @param bitmap for an overlay, the 512-byte sectors it holds (bit 0: the first)
 */
record BlockDescriptor(long at, long original, long relative, long storeOffset, int flags, int bitmap) {

    static final int SIZE = 32;

    /** "Store block descriptor flags"; the others (0x08 … 0x80) are not understood and change nothing here. */
    static final int FORWARDER = 0x01, OVERLAY = 0x02, NOT_USED = 0x04;

    /** The descriptor at {@code pos} of a block list block read at {@code blockOffset}; null for an empty (all zero) slot. */
    static BlockDescriptor parse(ByteBuffer b, int pos, long blockOffset) {
        long original = b.getLong(pos), relative = b.getLong(pos + 8), store = b.getLong(pos + 16);
        int flags = b.getInt(pos + 24), bitmap = b.getInt(pos + 28);
        if (original == 0 && relative == 0 && store == 0 && flags == 0 && bitmap == 0) return null;
        return new BlockDescriptor(blockOffset + pos, original, relative, store, flags, bitmap);
    }

    boolean forwarder() { return (flags & FORWARDER) != 0; }

    boolean overlay() { return (flags & OVERLAY) != 0; }

    boolean notUsed() { return (flags & NOT_USED) != 0; }

    /** Checks every offset this descriptor will be read at against the volume. */
    void check(long volumeSize) {
        if (forwarder() && overlay()) throw corrupt(24, "flags 0x" + Integer.toHexString(flags) + ": a forwarder cannot be an overlay");
        if (original < 0 || original % Vss.BLOCK != 0 || original > volumeSize - Vss.BLOCK) {
            throw corrupt(0, "original offset " + original + " is not a 16 KiB block inside the volume (" + volumeSize + " bytes)");
        }
        if (forwarder()) {
            if (relative < 0 || relative % Vss.BLOCK != 0 || relative > volumeSize - Vss.BLOCK) {
                throw corrupt(8, "forwarder to offset " + relative + ", not a 16 KiB block inside the volume (" + volumeSize + " bytes)");
            }
        } else if (storeOffset < 0 || storeOffset > volumeSize - Vss.BLOCK) {
            throw corrupt(16, "store data block offset " + storeOffset + " is past the volume (" + volumeSize + " bytes)");
        }
    }

    private CorruptImageException corrupt(int field, String detail) {
        return new CorruptImageException(Vss.FORMAT, "store block descriptor", at + field, detail);
    }
}
