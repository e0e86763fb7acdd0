package io.vdetach.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A GUID as Microsoft's structures store it ([MS-DTYP] 2.3.4.2): Data1, Data2 and Data3
 * little-endian, then Data4's 8 bytes as they are. VHDX, VDI (VirtualBox's RTUUID) and GPT all
 * use this layout. Printed lower-case, as sgdisk and VBoxManage print it.
 */
public record Guid(long high, long low) {

    public static Guid read(ByteBuffer b, int at) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long d1 = Integer.toUnsignedLong(le.getInt(at));
        long d2 = Short.toUnsignedLong(le.getShort(at + 4));
        long d3 = Short.toUnsignedLong(le.getShort(at + 6));
        return new Guid(d1 << 32 | d2 << 16 | d3, b.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(at + 8));
    }

    /** Parses "8B7CA206-4790-4B9A-B8FE-575F050F886E", with or without braces. */
    public static Guid of(String text) {
        String t = text.trim();
        if (t.startsWith("{") && t.endsWith("}")) t = t.substring(1, t.length() - 1);
        if (t.length() != 36 || t.charAt(8) != '-' || t.charAt(13) != '-' || t.charAt(18) != '-' || t.charAt(23) != '-') {
            throw new IllegalArgumentException("not a GUID: " + text);
        }
        String hex = t.replace("-", "");
        return new Guid(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
    }

    public boolean isZero() {
        return high == 0 && low == 0;
    }

    @Override
    public String toString() {
        String h = String.format("%016x%016x", high, low);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20);
    }
}
