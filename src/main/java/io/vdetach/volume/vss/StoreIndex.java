package io.vdetach.volume.vss;

import java.util.Arrays;

/**
 * A store's block list as resolved by {@link StoreBlockList}: for each original 16 KiB block of
 * the volume, what the store says about it. An open-addressing table of primitive arrays (about 30
 * bytes a block): a store preserving 10 GiB holds 655,360 blocks. Read-only once built.
 */
final class StoreIndex {
    /** What a block's main descriptor is. */
    static final byte NONE = 0, DATA = 1, FORWARD = 2;

    private static final long EMPTY = -1;

    private long[] keys = new long[64];
    private byte[] kind = new byte[64];
    private long[] target = new long[64];
    private int[] overlayBits = new int[64];
    private long[] overlayAt = new long[64];
    private int size;
    /** Blocks that forwarders left in the reverse list name, sorted. */
    private long[] reverse = new long[0];

    StoreIndex() {
        Arrays.fill(keys, EMPTY);
    }

    int size() { return size; }

    /** The slot of {@code original}, or -1 when the store says nothing about that block. */
    int find(long original) {
        int mask = keys.length - 1;
        for (int i = hash(original) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == original) return i;
            if (keys[i] == EMPTY) return -1;
        }
    }

    byte kind(int slot) { return kind[slot]; }

    /** DATA: the preserved copy's volume offset; FORWARD: the block forwarded to. */
    long target(int slot) { return target[slot]; }

    int overlayBits(int slot) { return overlayBits[slot]; }

    long overlayAt(int slot) { return overlayAt[slot]; }

    /** A forwarder left in the reverse list names {@code block} ("Reading snapshot data": read it from the volume). */
    boolean reversed(long block) {
        return Arrays.binarySearch(reverse, block) >= 0;
    }

    // building, by StoreBlockList only

    /** The slot of {@code original}, made (empty) when there is none. */
    int slotFor(long original) {
        int found = find(original);
        if (found >= 0) return found;
        if ((size + 1) * 2 > keys.length) grow();
        int mask = keys.length - 1;
        int i = hash(original) & mask;
        while (keys[i] != EMPTY) i = (i + 1) & mask;
        keys[i] = original;
        size++;
        return i;
    }

    void main(int slot, byte k, long t) {
        kind[slot] = k;
        target[slot] = t;
    }

    /** Adds an overlay's sectors; a block's first overlay says where they all are ("the existing overlay is extended"). */
    void overlay(int slot, int bits, long at) {
        if (overlayBits[slot] == 0) overlayAt[slot] = at;
        overlayBits[slot] |= bits;
    }

    void reverse(long[] blocks) {
        reverse = blocks.clone();
        Arrays.sort(reverse);
    }

    private void grow() {
        long[] k = keys;
        byte[] kd = kind;
        long[] t = target, oa = overlayAt;
        int[] ob = overlayBits;
        int n = k.length * 2;
        keys = new long[n];
        Arrays.fill(keys, EMPTY);
        kind = new byte[n];
        target = new long[n];
        overlayBits = new int[n];
        overlayAt = new long[n];
        int mask = n - 1;
        for (int j = 0; j < k.length; j++) {
            if (k[j] == EMPTY) continue;
            int i = hash(k[j]) & mask;
            while (keys[i] != EMPTY) i = (i + 1) & mask;
            keys[i] = k[j];
            kind[i] = kd[j];
            target[i] = t[j];
            overlayBits[i] = ob[j];
            overlayAt[i] = oa[j];
        }
    }

    private static int hash(long original) {
        long h = (original >>> 14) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ h >>> 32);
    }
}
