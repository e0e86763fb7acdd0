package io.vdetach.volume.vss;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A store's block list as resolved by {@link StoreBlockList}: for each original 16 KiB block of
 * the volume, what the store says about it. An open-addressing table of primitive arrays keyed by
 * block number (13 bytes a slot, at most 3/4 full: a store preserving 10 GiB, 655,360 blocks,
 * takes under 16 MiB); overlays, a handful per store, beside it. Read-only once built. (While a
 * block list is read, a second one serves as its reverse block list: a forwarder's target block
 * to its original block, {@link #NONE} once removed.)
 */
final class StoreIndex {
    /** What a block's main descriptor is. */
    static final byte NONE = 0, DATA = 1, FORWARD = 2;

    /** Block numbers are ints: volumes up to 32 TiB (checked by {@link ShadowCopies}). */
    static final long MAX_VOLUME = (long) Integer.MAX_VALUE * Vss.BLOCK;

    private static final int EMPTY = -1;

    /** An overlay: the 512-byte sectors it holds, and the volume offset of the block they are in. */
    record Overlay(int bits, long at) {}

    private int[] keys = new int[64];
    private byte[] kind = new byte[64];
    private long[] target = new long[64];
    private int size;
    private final Map<Integer, Overlay> overlays = new HashMap<>();
    /** Blocks that forwarders left in the reverse list name, sorted. */
    private long[] reverse = new long[0];

    StoreIndex() {
        Arrays.fill(keys, EMPTY);
    }

    int size() { return size; }

    /** The slot of the block at volume offset {@code original}, or -1 when the store says nothing about it. */
    int find(long original) {
        int key = (int) (original / Vss.BLOCK);
        int mask = keys.length - 1;
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == key) return i;
            if (keys[i] == EMPTY) return -1;
        }
    }

    byte kind(int slot) { return kind[slot]; }

    /** DATA: the preserved copy's volume offset; FORWARD: the block forwarded to. */
    long target(int slot) { return target[slot]; }

    /** The overlay of the block at {@code original}; null when it has none. */
    Overlay overlay(long original) {
        return overlays.isEmpty() ? null : overlays.get((int) (original / Vss.BLOCK));
    }

    /** A forwarder left in the reverse list names {@code block} ("Reading snapshot data": read it from the volume). */
    boolean reversed(long block) {
        return Arrays.binarySearch(reverse, block) >= 0;
    }

    // building, by StoreBlockList only

    /** The slot of {@code original}, made (with no main descriptor) when there is none. */
    int slotFor(long original) {
        int found = find(original);
        if (found >= 0) return found;
        if ((size + 1) * 4L > keys.length * 3L) grow();
        int key = (int) (original / Vss.BLOCK);
        int mask = keys.length - 1;
        int i = hash(key) & mask;
        while (keys[i] != EMPTY) i = (i + 1) & mask;
        keys[i] = key;
        size++;
        return i;
    }

    void main(int slot, byte k, long t) {
        kind[slot] = k;
        target[slot] = t;
    }

    /** Adds an overlay's sectors; a block's first overlay says where they all are ("the existing overlay is extended"). */
    void overlay(long original, int bits, long at) {
        overlays.merge((int) (original / Vss.BLOCK), new Overlay(bits, at), (old, add) -> new Overlay(old.bits | add.bits, old.at));
    }

    int overlays() { return overlays.size(); }

    /** The volume offsets of the blocks whose main descriptor is of kind {@code k}, in no order. */
    long[] blocks(byte k) {
        long[] out = new long[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++) if (keys[i] != EMPTY && kind[i] == k) out[n++] = (long) keys[i] * Vss.BLOCK;
        return Arrays.copyOf(out, n);
    }

    void reverse(long[] blocks) {
        reverse = blocks.clone();
        Arrays.sort(reverse);
    }

    private void grow() {
        int[] k = keys;
        byte[] kd = kind;
        long[] t = target;
        int n = k.length * 2;
        keys = new int[n];
        Arrays.fill(keys, EMPTY);
        kind = new byte[n];
        target = new long[n];
        int mask = n - 1;
        for (int j = 0; j < k.length; j++) {
            if (k[j] == EMPTY) continue;
            int i = hash(k[j]) & mask;
            while (keys[i] != EMPTY) i = (i + 1) & mask;
            keys[i] = k[j];
            kind[i] = kd[j];
            target[i] = t[j];
        }
    }

    private static int hash(int key) {
        int h = key * 0x9E3779B9;
        return h ^ h >>> 16;
    }
}
