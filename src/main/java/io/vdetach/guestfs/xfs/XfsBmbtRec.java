package io.vdetach.guestfs.xfs;

import java.nio.ByteBuffer;

/**
 * One packed 128-bit extent record, xfs_bmbt_rec ("Data Extents"): 1 bit unwritten flag,
 * 54 bits file offset, 52 bits start fsblock, 21 bits length, all in fs blocks.
 */
public record XfsBmbtRec(long startOff, long startBlock, long blockCount, boolean unwritten) {

    public static XfsBmbtRec parse(ByteBuffer b, int at) {
        long l0 = b.getLong(at);
        long l1 = b.getLong(at + 8);
        boolean unwritten = l0 < 0;
        long startOff = (l0 >>> 9) & ((1L << 54) - 1);
        long startBlock = ((l0 & 0x1ff) << 43) | (l1 >>> 21);
        long count = l1 & ((1L << 21) - 1);
        return new XfsBmbtRec(startOff, startBlock, count, unwritten);
    }

    long endOff() { return startOff + blockCount; }
}
