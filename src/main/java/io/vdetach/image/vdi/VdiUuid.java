package io.vdetach.image.vdi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A VirtualBox RTUUID as stored: the Microsoft GUID layout (first three fields little-endian). */
record VdiUuid(long high, long low) {
    static VdiUuid read(ByteBuffer b, int at) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long d1 = Integer.toUnsignedLong(le.getInt(at));
        long d2 = Short.toUnsignedLong(le.getShort(at + 4));
        long d3 = Short.toUnsignedLong(le.getShort(at + 6));
        return new VdiUuid(d1 << 32 | d2 << 16 | d3, b.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(at + 8));
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
