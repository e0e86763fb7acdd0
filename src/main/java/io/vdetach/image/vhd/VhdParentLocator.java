package io.vdetach.image.vhd;

import java.nio.ByteBuffer;

/**
 * One of the eight parent locator entries of the dynamic disk header (spec: Dynamic Disk
 * Header Format, Parent Locator Entries). Codes "W2ku" (absolute Windows path) and "W2ru"
 * (path relative to the child) hold UTF-16LE text at {@code dataOffset}.
 */
record VhdParentLocator(int index, String platformCode, long dataSpace, long dataLength, long dataOffset) {
    static final int SIZE = 24;

    /** Entry {@code index}, at {@code at} of the dynamic disk header in {@code b}. */
    static VhdParentLocator parse(ByteBuffer b, int index, int at) {
        return new VhdParentLocator(index,
                VhdFooter.ascii(b, at, 4),
                Integer.toUnsignedLong(b.getInt(at + 4)),
                Integer.toUnsignedLong(b.getInt(at + 8)),
                b.getLong(at + 16));
    }

    boolean isEmpty() {
        return platformCode.equals("\0\0\0\0");
    }
}
