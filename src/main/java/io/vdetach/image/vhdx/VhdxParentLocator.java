package io.vdetach.image.vhdx;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parent locator metadata item: a type GUID and UTF-16LE key/value pairs ([MS-VHDX] 2.6.2.6).
 *
 * @param valueAt the file offset of each key's value
 * @param at the file offset of the item
 */
record VhdxParentLocator(Guid locatorType, Map<String, String> entries, Map<String, Long> valueAt, long at) {
    /** [MS-VHDX] 2.6.2.6.1: the VHDX parent locator type. */
    static final Guid VHDX_LOCATOR = Guid.of("B04AEFB7-D19E-4A81-B789-25B8E9445913");

    /** {@code b} holds the whole item (positions 0..limit); offsets are relative to its start. */
    static VhdxParentLocator parse(ByteBuffer b, long at) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int len = b.limit();
        if (len < 20) throw new CorruptImageException("vhdx", "parent locator", at, "item of " + len + " bytes is too short");
        Guid type = Guid.read(b, 0);
        if (!type.equals(VHDX_LOCATOR)) {
            throw new UnsupportedImageException("vhdx", "parent locator", at, "parent locator type " + type);
        }
        int count = Short.toUnsignedInt(b.getShort(18));
        if (20L + count * 12L > len) {
            throw new CorruptImageException("vhdx", "parent locator", at + 18, count + " key/value entries do not fit in "
                    + len + " bytes");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        Map<String, Long> valueAt = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int e = 20 + i * 12;
            long keyOffset = Integer.toUnsignedLong(b.getInt(e));
            long valueOffset = Integer.toUnsignedLong(b.getInt(e + 4));
            int keyLength = Short.toUnsignedInt(b.getShort(e + 8));
            int valueLength = Short.toUnsignedInt(b.getShort(e + 10));
            String key = text(b, keyOffset, keyLength, at + e);
            kv.put(key, text(b, valueOffset, valueLength, at + e));
            valueAt.put(key, at + valueOffset);
        }
        return new VhdxParentLocator(type, Map.copyOf(kv), Map.copyOf(valueAt), at);
    }

    private static String text(ByteBuffer b, long offset, int length, long entryAt) {
        if (offset + length > b.limit() || (length & 1) != 0) {
            throw new CorruptImageException("vhdx", "parent locator entry", entryAt, "string at " + offset + " of "
                    + length + " bytes lies outside the item or has an odd length");
        }
        byte[] s = new byte[length];
        b.get((int) offset, s);
        return new String(s, StandardCharsets.UTF_16LE);
    }
}
