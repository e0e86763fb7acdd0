package io.vdetach.plan;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The host names the entries of one guest directory get, in walk order: an entry's safe name
 * ({@link GuestName}), or, when an earlier entry of the same directory already has it (a hostile
 * image with two "esc", a symlink and a directory; two names that sanitise alike), "name (n)"
 * ({@link ConflictPolicy#renamed}) with the smallest n no earlier entry has. Extraction and
 * verify both name entries through it, so verify looks for the guest's second "esc" where
 * extraction put it, "esc (1)". The next n to try is kept per name: 24,000 entries with one
 * name cost linear time, not a probe from 1 for each.
 *
 * <p>Lives as long as its directory is being walked: one entry per name of that directory.
 */
public final class DirectoryNames {
    /** Names are raw bytes; as ISO-8859-1 strings they hash by content and take one byte per byte. */
    private final Set<String> taken = new HashSet<>();
    private final Map<String, Integer> nextSuffix = new HashMap<>();

    /** The host name of the next entry whose safe name is {@code name}: {@code name} itself when free. */
    public byte[] claim(byte[] name) {
        String key = key(name);
        if (taken.add(key)) return name;
        int n = nextSuffix.getOrDefault(key, 1);
        while (true) {
            byte[] alt = ConflictPolicy.renamed(name, n++);
            if (taken.add(key(alt))) {
                nextSuffix.put(key, n);
                return alt;
            }
        }
    }

    /** Whether an entry of this directory got {@code hostName}. */
    public boolean contains(byte[] hostName) {
        return taken.contains(key(hostName));
    }

    private static String key(byte[] name) {
        return new String(name, StandardCharsets.ISO_8859_1);
    }
}
