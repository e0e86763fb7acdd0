package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.guestfs.DirEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The directory tree, built in one sequential pass over the MFT from each record's $FILE_NAME
 * attributes (their parent references), not from the $I30 indexes.
 *
 * <p>Why: every name of every file is in its own record, so one pass of large sequential reads
 * gives the whole tree with no random reads of index buffers; and the result is exact on a
 * consistent volume, since Windows and ntfs-3g keep each $FILE_NAME and its index entry equal.
 * A name counts only when its parent record is in use, is a directory, and has the sequence
 * number the reference names (so a name pointing at a deleted and reused directory is an orphan).
 * A directory keeps only its first parent, which makes a cycle reachable from the root impossible.
 */
final class DirectoryTree {
    static final long ROOT = 5;
    /** Records 0..15 are the metadata files ($MFT … $Extend and reserved ones), hidden like ntfs-3g does. */
    static final long FIRST_USER = 16;
    /** At most this many warnings are kept verbatim; the rest are counted. */
    private static final int MAX_WARNINGS = 50;

    /**
     * The listed names, grouped by directory in the order the scan met them: those of directory
     * record d are entries start[d] to start[d + 1] - 1 of {@code child} (the record named) and
     * {@code nameAt} (the name's offset in {@code names}). Primitive arrays, about 30 bytes an
     * entry with its name, where a list of {@link DirEntry} objects per directory took ~70 (and
     * the scan's pending names ~80 more): the tree is the one part of a walk held whole.
     */
    private int[] start = new int[1];
    private int[] child = new int[0];
    private int[] nameAt = new int[0];
    private final NamePool names = new NamePool();
    /** Per record, grown to the highest record in use (memory follows real files, not the MFT's claimed size). */
    private int[] firstParent = new int[0];
    private byte[] state = new byte[0];
    private short[] seq = new short[0];
    private final List<String> warnings;
    private int dropped;
    private long filesInUse;

    private static final byte IN_USE = 1;
    private static final byte DIR = 2;

    private DirectoryTree(List<String> warnings) {
        this.warnings = warnings;
    }

    private void ensure(int n) {
        if (n < state.length) return;
        int cap = (int) Math.min(Integer.MAX_VALUE - 16L, Math.max(n + 1L, state.length * 2L + 1024));
        int old = firstParent.length;
        firstParent = Arrays.copyOf(firstParent, cap);
        Arrays.fill(firstParent, old, cap, -1);
        state = Arrays.copyOf(state, cap);
        seq = Arrays.copyOf(seq, cap);
    }

    /** The scan's names in MFT order, before their parents are known to be in use: parallel arrays. */
    private static final class Pending {
        int count;
        int[] child = new int[1024];
        long[] baseRef = new long[1024];
        long[] parentRef = new long[1024];
        int[] nameAt = new int[1024];
        /** Names holding unpaired UTF-16 surrogates (warned about once, as a count). */
        final BitSet surrogates = new BitSet();

        void add(int owner, long base, long parent, char[] name, NamePool pool) {
            if (count == child.length) {
                int cap = (int) Math.min(Integer.MAX_VALUE - 16L, count * 2L);
                if (cap == count) throw new UnsupportedImageException("ntfs", "more than " + count + " names");
                child = Arrays.copyOf(child, cap);
                baseRef = Arrays.copyOf(baseRef, cap);
                parentRef = Arrays.copyOf(parentRef, cap);
                nameAt = Arrays.copyOf(nameAt, cap);
            }
            child[count] = owner;
            baseRef[count] = base;
            parentRef[count] = parent;
            nameAt[count] = pool.add(Names.utf8(name));
            if (Names.hasUnpairedSurrogate(name)) surrogates.set(count);
            count++;
        }
    }

    /** Base MFT records in use (files, directories and the system files). */
    long filesInUse() {
        return filesInUse;
    }

    static DirectoryTree build(Mft mft, boolean showSystem, List<String> warnings) throws IOException {
        long count = mft.records();
        if (count > Integer.MAX_VALUE - 16) throw new UnsupportedImageException("ntfs", "an MFT of " + count + " records");
        DirectoryTree t = new DirectoryTree(warnings);
        Pending names = new Pending();
        int rs = mft.recordSize();
        byte[] rec = new byte[rs];
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = Mft.CHUNK_BYTES / rs;
        long chunks = (count + perChunk - 1) / perChunk;
        for (long ci = 0; ci < chunks; ci++) {
            byte[] chunk = mft.readChunk(ci);
            if (chunk == null) continue;
            for (int j = 0; j < perChunk; j++) {
                long n = ci * perChunk + j;
                if (n >= count) break;
                int off = j * rs;
                if (!Mft.isFile(chunk, off)) {
                    if (chunk[off] == 'B' && chunk[off + 1] == 'A' && chunk[off + 2] == 'A' && chunk[off + 3] == 'D') {
                        t.warn("MFT record " + n + " is marked BAAD (torn write): skipped");
                    }
                    continue;
                }
                System.arraycopy(chunk, off, rec, 0, rs);
                String bad = MftRecord.fixup(rec, 0, rs);
                if (bad != null) {
                    t.warn("MFT record " + n + " at offset " + mft.offsetOf(n) + ": " + bad + ": skipped");
                    continue;
                }
                try {
                    long at = mft.offsetOf(n);
                    MftRecord h = MftRecord.parse(b, rs, n, at);
                    if (h == null || !h.inUse()) continue;
                    t.ensure((int) n);
                    t.seq[(int) n] = (short) h.sequence();
                    t.state[(int) n] = (byte) (IN_USE | (h.isDirectory() ? DIR : 0));
                    // The base reference is 0 for a base record; an extension of $MFT names record 0 with a sequence number.
                    boolean extension = h.baseRecord() != 0;
                    long base = MftRecord.number(h.baseRecord());
                    if (base >= count) {
                        t.warn("MFT record " + n + " names base record " + base + " past the MFT's end: skipped");
                        continue;
                    }
                    if (!extension) t.filesInUse++;
                    collectNames(b, h, (int) (extension ? base : n), extension ? h.baseRecord() : 0, at, names, t.names);
                } catch (CorruptImageException e) {
                    t.warn(e.getMessage() + ": skipped");
                }
            }
        }
        t.link(names, showSystem);
        if (t.dropped > 0) warnings.add("... and " + t.dropped + " more MFT warnings");
        return t;
    }

    /** Reads only what the tree needs: each resident $FILE_NAME's parent, namespace and name. */
    private static void collectNames(ByteBuffer b, MftRecord h, int owner, long baseRef, long at, Pending out, NamePool pool) {
        int p = h.attrsOffset();
        int end = h.bytesInUse();
        while (p + 16 <= end) {
            int type = b.getInt(p);
            if (type == Attribute.END) break;
            int len = b.getInt(p + 4);
            if (len < 24 || len % 8 != 0 || len > end - p) {
                throw Attribute.corrupt(owner, at + p, "attribute length " + len);
            }
            if (type == Attribute.FILE_NAME && b.get(p + 8) == 0) {
                int valueLen = b.getInt(p + 16);
                int valueOff = b.getShort(p + 20) & 0xffff;
                if (valueLen >= 0 && valueOff + (long) valueLen <= len) {
                    FileName fn = FileName.parse(b, p + valueOff, valueLen);
                    if (fn != null && fn.namespace() != FileName.DOS) {
                        out.add(owner, baseRef, fn.parent(), fn.name(), pool);
                    }
                }
            }
            p += len;
        }
    }

    private void link(Pending names, boolean showSystem) {
        int orphans = 0;
        int surrogates = 0;
        int listed = 0;
        int[] parentOf = new int[names.count]; // the directory each name is listed in, or -1
        start = new int[state.length + 1];
        for (int i = 0; i < names.count; i++) {
            parentOf[i] = -1;
            int c = names.child[i];
            if (c >= state.length || (state[c] & IN_USE) == 0) continue;
            if (this.names.length(names.nameAt[i]) == 0) {
                warn("MFT record " + c + " has an empty name: not listed");
                continue;
            }
            if (names.baseRef[i] != 0 && (seq[c] & 0xffff) != MftRecord.sequenceOf(names.baseRef[i])) continue;
            long p = MftRecord.number(names.parentRef[i]);
            if (p == c) {
                if (c != ROOT) warn("MFT record " + c + " names itself as its parent: not listed");
                continue;
            }
            int ps = MftRecord.sequenceOf(names.parentRef[i]);
            if (p >= state.length || (state[(int) p] & DIR) == 0 || (ps != 0 && (seq[(int) p] & 0xffff) != ps)) {
                orphans++;
                continue;
            }
            boolean isDir = (state[c] & DIR) != 0;
            if (isDir && firstParent[c] >= 0) {
                warn("directory record " + c + " has a second name in directory " + p + ": only the first is listed");
                continue;
            }
            if (firstParent[c] < 0) firstParent[c] = (int) p;
            if (!showSystem && c < FIRST_USER) continue;
            if (names.surrogates.get(i)) surrogates++;
            parentOf[i] = (int) p;
            start[(int) p + 1]++;
            listed++;
        }
        // grouped by directory, each group in scan order (a stable counting sort)
        for (int d = 0; d < state.length; d++) start[d + 1] += start[d];
        int[] next = Arrays.copyOf(start, state.length);
        child = new int[listed];
        nameAt = new int[listed];
        for (int i = 0; i < names.count; i++) {
            if (parentOf[i] < 0) continue;
            int at = next[parentOf[i]]++;
            child[at] = names.child[i];
            nameAt[at] = names.nameAt[i];
        }
        this.names.trim();
        if (orphans > 0) warn(orphans + " name(s) whose parent directory is not in use or was reused: not listed (orphans)");
        if (surrogates > 0) warn(surrogates + " name(s) hold unpaired UTF-16 surrogates: written as WTF-8 (ntfs-3g hides them)");
    }

    private void warn(String w) {
        if (warnings.size() < MAX_WARNINGS) warnings.add(w);
        else dropped++;
    }

    /** The names listed in directory record {@code dir}, in the order the scan met them (a new list each call). */
    List<DirEntry> children(long dir) {
        if (dir < 0 || dir >= state.length || start[(int) dir] == start[(int) dir + 1]) return List.of();
        int from = start[(int) dir], to = start[(int) dir + 1];
        List<DirEntry> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) out.add(new DirEntry(names.get(nameAt[i]), child[i]));
        return out;
    }

    /** Per directory a symlink target was looked up in: its entries ordered by upper-cased name. */
    private final Map<Long, DirEntry[]> byName = new HashMap<>();

    /**
     * The entry of {@code dir} whose name, upper-cased by {@code upcase}, is {@code wanted} (the first
     * listed one when several are), by binary search in the directory's entries sorted once by that
     * name: symlinks resolved one after another into a directory of a million names cost a search
     * each, not a rebuilt index each. The order keeps references only; names are upper-cased again
     * for each comparison of a search.
     */
    synchronized DirEntry lookupIgnoringCase(long dir, String wanted, UnaryOperator<String> upcase) {
        DirEntry[] sorted = byName.get(dir);
        if (sorted == null) {
            List<DirEntry> c = children(dir);
            record Keyed(String key, DirEntry entry) {}
            Keyed[] k = new Keyed[c.size()];
            for (int i = 0; i < k.length; i++) k[i] = new Keyed(upcase.apply(Names.string(c.get(i).name())), c.get(i));
            Arrays.sort(k, Comparator.comparing(Keyed::key)); // stable: equal names keep their listed order
            sorted = new DirEntry[k.length];
            for (int i = 0; i < k.length; i++) sorted[i] = k[i].entry();
            byName.put(dir, sorted);
        }
        int lo = 0, hi = sorted.length;
        while (lo < hi) { // the first entry whose key is not below wanted
            int mid = (lo + hi) >>> 1;
            if (upcase.apply(Names.string(sorted[mid].name())).compareTo(wanted) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo < sorted.length && upcase.apply(Names.string(sorted[lo].name())).equals(wanted) ? sorted[lo] : null;
    }

    /** The directory holding the first listed name of {@code record}, or -1. */
    long parentOf(long record) {
        return record >= 0 && record < firstParent.length ? firstParent[(int) record] : -1;
    }

    boolean isDirectory(long record) {
        return record >= 0 && record < state.length && (state[(int) record] & DIR) != 0;
    }
}
