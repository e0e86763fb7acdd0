package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The store information after a store's header block ("Store information"), as stored.
 *
 * @param attributeFlags _VSS_VOLUME_SNAPSHOT_ATTRIBUTES ("Store attribute flags")
 * @param operatingMachine the machine the shadow copy was made on; @param serviceMachine the one that keeps it
 */
public record StoreInformation(UUID shadowCopyId, UUID shadowCopySetId, int type, int provider, int attributeFlags,
                               String operatingMachine, String serviceMachine) {

    /** Fixed fields up to and with the operating machine string's size. */
    private static final int FIXED = 66;

    /** Reads the store header block at {@code offset} (checked by the caller) and the information after it. */
    static StoreInformation read(Layer volume, long offset) throws IOException {
        ByteBuffer b = volume.readBytes(offset, Vss.BLOCK);
        BlockHeader h = BlockHeader.parse(b, offset, BlockHeader.STORE_HEADER, volume.size());
        long size = h.informationSize();
        if (size < FIXED || size > Vss.BLOCK - BlockHeader.SIZE) {
            throw new CorruptImageException(Vss.FORMAT, "store header block", offset + 48, "store information size " + size
                    + " outside [" + FIXED + ", " + (Vss.BLOCK - BlockHeader.SIZE) + "]");
        }
        int base = BlockHeader.SIZE;
        int end = base + (int) size;
        int pos = base + 64;
        String operating = utf16(b, pos, end, offset, "operating machine");
        pos += 2 + (b.getShort(pos) & 0xffff);
        String service = pos + 2 <= end ? utf16(b, pos, end, offset, "service machine") : "";
        return new StoreInformation(Vss.guid(b, base + 16), Vss.guid(b, base + 32), b.getInt(base + 48), b.getInt(base + 52),
                b.getInt(base + 56), operating, service);
    }

    /** A size-prefixed UTF-16LE string at {@code pos}, which must end by {@code end}. */
    private static String utf16(ByteBuffer b, int pos, int end, long blockOffset, String what) {
        int n = b.getShort(pos) & 0xffff;
        if (n % 2 != 0 || pos + 2 + n > end) {
            throw new CorruptImageException(Vss.FORMAT, "store information", blockOffset + pos, what + " string of " + n
                    + " bytes does not fit the store information");
        }
        byte[] s = new byte[n];
        b.get(pos + 2, s);
        return new String(s, StandardCharsets.UTF_16LE);
    }
}
