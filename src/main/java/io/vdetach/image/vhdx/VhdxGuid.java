package io.vdetach.image.vhdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A GUID as VHDX stores it: Data1, Data2, Data3 little-endian, then 8 bytes as-is ([MS-DTYP] 2.3.4.2). */
record VhdxGuid(long high, long low) {
    static final VhdxGuid ZERO = new VhdxGuid(0, 0);

    static VhdxGuid read(ByteBuffer b, int at) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long d1 = Integer.toUnsignedLong(le.getInt(at));
        long d2 = Short.toUnsignedLong(le.getShort(at + 4));
        long d3 = Short.toUnsignedLong(le.getShort(at + 6));
        long d4 = b.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(at + 8);
        return new VhdxGuid(d1 << 32 | d2 << 16 | d3, d4);
    }

    /** Parses "8B7CA206-4790-4B9A-B8FE-575F050F886E", with or without braces. */
    static VhdxGuid of(String text) {
        String t = text.trim();
        if (t.startsWith("{") && t.endsWith("}")) t = t.substring(1, t.length() - 1);
        if (t.length() != 36 || t.charAt(8) != '-' || t.charAt(13) != '-' || t.charAt(18) != '-' || t.charAt(23) != '-') {
            throw new IllegalArgumentException("not a GUID: " + text);
        }
        String hex = t.replace("-", "");
        return new VhdxGuid(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
    }

    boolean isZero() {
        return high == 0 && low == 0;
    }

    @Override
    public String toString() {
        String h = String.format("%016x%016x", high, low);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20);
    }
}
