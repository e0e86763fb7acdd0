package io.vdetach.testkit;

import java.util.Map;
import java.util.TreeMap;

/**
 * What must be equal between an extracted entry and the oracle's: the comparison unit of
 * every exactness test. {@code linkGroup} lists every path sharing the entry's inode (hard
 * links), empty for single-linked entries.
 */
public record EntryFacts(String type, long size, String sha256, int mode, long uid, long gid,
                         long mtimeSeconds, int mtimeNanos, String linkTarget, long rdev,
                         TreeMap<String, String> xattrs, String linkGroup) {

    /** A copy with fields a given comparison does not cover blanked out. */
    public EntryFacts without(boolean owners, boolean xattrsToo, boolean mtime, boolean mode) {
        return new EntryFacts(type, size, sha256, mode ? 0 : this.mode, owners ? 0 : uid, owners ? 0 : gid,
                mtime ? 0 : mtimeSeconds, mtime ? 0 : mtimeNanos, linkTarget, rdev,
                xattrsToo ? new TreeMap<>() : xattrs, linkGroup);
    }

    public static TreeMap<String, String> xattrMap(Map<String, String> m) {
        return new TreeMap<>(m);
    }
}
