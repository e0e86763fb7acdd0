package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.guestfs.TreeWalker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The original path of a deleted record, rebuilt from $FILE_NAME parent references up to the
 * root, each checked against the sequence number of the record it names (a file reference names
 * record and sequence, NTFS documentation "FILE_REFERENCE"). A parent in use must carry exactly
 * that sequence; a deleted parent that or the next one (deleting a record increments its
 * sequence, skipping 0). Anything else (a parent reused by another file, a parent that is not a
 * directory, a record without a name, a cycle) leaves the path unknown: the entry is an orphan.
 */
final class ParentChain {
    /** A longer chain cannot be written on Linux (PATH_MAX) and is a cycle or a hostile image: orphan. */
    static final int MAX_DEPTH = TreeWalker.MAX_DEPTH;

    /** What a record says of itself, as a parent: null name when it has none. */
    private record Link(int sequence, boolean inUse, boolean directory, boolean base, char[] name, long parent) {}

    private static final Link NONE = new Link(0, false, false, false, null, 0);

    /** The path, or why there is none. */
    record Result(List<char[]> directories, String orphanReason, boolean cycle) {}

    private final Mft mft;
    /** Parents looked up so far, by record number: at most one per record of the MFT. */
    private final Map<Long, Link> links = new HashMap<>();

    ParentChain(Mft mft) {
        this.mft = mft;
    }

    /** The directories from the root's child down to the one {@code parentRef} names, for record {@code record}. */
    Result resolve(long record, long parentRef) throws IOException {
        List<char[]> names = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        seen.add(record);
        long ref = parentRef;
        while (true) {
            long p = MftRecord.number(ref);
            int s = MftRecord.sequenceOf(ref);
            if (p == DirectoryTree.ROOT) {
                Link root = link(p);
                if (s != 0 && root.sequence() != s) return orphan("the root's sequence " + root.sequence() + " is not " + s, false);
                Collections.reverse(names);
                return new Result(names, null, false);
            }
            if (!seen.add(p)) return orphan("parent references form a cycle through MFT record " + p, true);
            if (names.size() >= MAX_DEPTH) return orphan("more than " + MAX_DEPTH + " parents", true);
            Link l = link(p);
            if (!l.base() || !l.directory()) return orphan("parent MFT record " + p + " is not a directory", false);
            boolean matches = s == 0 || l.sequence() == s || (!l.inUse() && l.sequence() == nextSequence(s));
            if (!matches) return orphan("parent MFT record " + p + " was reused (sequence " + l.sequence() + ", not " + s + ")", false);
            if (l.name() == null) return orphan("parent MFT record " + p + " has no name", false);
            names.add(l.name());
            ref = l.parent();
        }
    }

    private static Result orphan(String why, boolean cycle) {
        return new Result(null, why, cycle);
    }

    /** The sequence a record gets when it is freed: incremented, 0 skipped (0 means "not checked" in references). */
    static int nextSequence(int s) {
        int n = (s + 1) & 0xffff;
        return n == 0 ? 1 : n;
    }

    private Link link(long n) throws IOException {
        Link l = links.get(n);
        if (l == null) {
            l = read(n);
            links.put(n, l);
        }
        return l;
    }

    private Link read(long n) throws IOException {
        if (n < 0 || n >= mft.records()) return NONE;
        try {
            ByteBuffer b = mft.record(n);
            MftRecord h = MftRecord.parse(b, mft.recordSize(), n, mft.offsetOf(n));
            if (h == null) return NONE;
            FileName fn = name(b, h);
            return new Link(h.sequence(), h.inUse(), h.isDirectory(), h.baseRecord() == 0, fn == null ? null : fn.name(),
                    fn == null ? 0 : fn.parent());
        } catch (CorruptImageException e) {
            return NONE; // a torn or damaged parent: the path is unknown
        }
    }

    /** The record's best $FILE_NAME: a Win32 or POSIX name over a DOS-only short name; null when it has none. */
    static FileName name(ByteBuffer b, MftRecord h) {
        FileName best = null;
        int p = h.attrsOffset();
        int end = h.bytesInUse();
        while (p + 16 <= end) {
            int type = b.getInt(p);
            if (type == Attribute.END) break;
            int len = b.getInt(p + 4);
            if (len < 24 || len % 8 != 0 || len > end - p) break;
            if (type == Attribute.FILE_NAME && b.get(p + 8) == 0) {
                int valueLen = b.getInt(p + 16);
                int valueOff = b.getShort(p + 20) & 0xffff;
                if (valueLen >= 0 && valueOff + (long) valueLen <= len) {
                    FileName fn = FileName.parse(b, p + valueOff, valueLen);
                    if (fn != null && fn.name().length > 0 && (best == null || best.namespace() == FileName.DOS)) best = fn;
                }
            }
            p += len;
        }
        return best;
    }
}
