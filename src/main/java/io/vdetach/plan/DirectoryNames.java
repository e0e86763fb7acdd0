package io.vdetach.plan;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The host names the entries of one guest directory get, in walk order: an entry's safe name
 * ({@link GuestName}), or, when an earlier entry of the same directory already has it (a hostile
 * image with two "esc", a symlink and a directory; two names that sanitise alike), "name (n)"
 * ({@link ConflictPolicy#renamed}) with the smallest n no earlier entry has. Extraction and
 * verify both name entries through it, so verify looks for the guest's second "esc" where
 * extraction put it, "esc (1)". The next n to try is kept per name: 24,000 entries with one
 * name cost linear time, not a probe from 1 for each.
 *
 * <p>Lives as long as its directory is being walked and holds 64-bit hashes of the names given,
 * about 16 bytes a name however long: a directory of millions of names stays small. Two names
 * with one hash would make the second "name (1)": harmless, and the same in extract and verify.
 */
public final class DirectoryNames {
    private long[] slots = new long[16];
    private int used;
    private boolean zeroTaken;
    /** Per name that was given twice or more: the next suffix to try. */
    private final Map<String, Integer> nextSuffix = new HashMap<>();

    /** The host name of the next entry whose safe name is {@code name}: {@code name} itself when free. */
    public byte[] claim(byte[] name) {
        if (add(hash(name))) return name;
        String key = new String(name, StandardCharsets.ISO_8859_1);
        int n = nextSuffix.getOrDefault(key, 1);
        while (true) {
            byte[] alt = ConflictPolicy.renamed(name, n++);
            if (add(hash(alt))) {
                nextSuffix.put(key, n);
                return alt;
            }
        }
    }

    /** Whether an entry of this directory got {@code hostName}. */
    public boolean contains(byte[] hostName) {
        long h = hash(hostName);
        if (h == 0) return zeroTaken;
        for (int i = slot(h); ; i = (i + 1) & (slots.length - 1)) {
            if (slots[i] == 0) return false;
            if (slots[i] == h) return true;
        }
    }

    /** Adds a hash to the open-addressing set; false when it is there already. */
    private boolean add(long h) {
        if (h == 0) {
            boolean was = zeroTaken;
            zeroTaken = true;
            return !was;
        }
        if (2 * (used + 1) > slots.length) grow();
        for (int i = slot(h); ; i = (i + 1) & (slots.length - 1)) {
            if (slots[i] == h) return false;
            if (slots[i] == 0) {
                slots[i] = h;
                used++;
                return true;
            }
        }
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        used = 0;
        for (long h : old) if (h != 0) add(h);
    }

    private int slot(long h) {
        return (int) (h ^ (h >>> 32)) & (slots.length - 1);
    }

    /** FNV-1a over the bytes, then MurmurHash3's finaliser to spread the bits. */
    static long hash(byte[] name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h ^ name.length;
    }
}
