package io.vdetach.guestfs.fat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.LongUnaryOperator;

/**
 * Names deleted directory entries (fatgen103 section 6.1: deleting sets the first byte of the
 * 8.3 entry, and Windows and Linux also set it on each long-name entry, to 0xE5). Fed the 0xE5
 * entries of one directory in order, it pairs the deleted long-name entries just before a deleted
 * 8.3 entry with it when their chain still fits:
 *
 * <ul>
 *   <li>every long-name entry carries the same checksum (fatgen103 section 7, ChkSum);
 *   <li>the checksum, which covered the 8.3 name's lost first byte, is met by exactly one first
 *       byte (ChkSum is a bijection in it), and that byte must be one an 8.3 name may start with
 *       (section 6.1); the chance that stale entries of another name pass is about one in three;
 *   <li>only the last entry (the first stored) may hold the name's terminator.
 * </ul>
 *
 * Otherwise the entry is named by its 8.3 name with '_' for the lost first byte, as Sleuth Kit's
 * fls does.
 */
final class DeletedName {
    /** A long name has at most 255 characters, so at most 20 entries of 13. */
    private static final int MAX_LFN_ENTRIES = 20;
    /** fatgen103 section 6.1: characters an 8.3 name may not hold (besides those below 0x20). */
    private static final String ILLEGAL = "\"*+,./:;<=>?[\\]|";

    /** Deleted long-name entries seen since the last other entry, in storage order (position n first). */
    private final LongNameEntry[] chain = new LongNameEntry[MAX_LFN_ENTRIES];
    private int count;
    /** More entries than a name can have came in a row: none of them belongs to the next 8.3 entry. */
    private boolean overflow;

    void reset() {
        count = 0;
        overflow = false;
    }

    /** Takes the 0xE5 entry at {@code at}: a deleted file or directory, or null (a long-name part, a label, garbage). */
    FatDirectory.Item offer(ByteBuffer data, int at, int attr, OemCodePage cp, LongUnaryOperator volumeOffset) {
        if ((attr & 0x3f) == ShortDirEntry.ATTR_LONG_NAME) {
            if (count == MAX_LFN_ENTRIES) overflow = true;
            else chain[count++] = LongNameEntry.parse(data, at);
            return null;
        }
        ShortDirEntry s = ShortDirEntry.parse(data, at);
        String longName = overflow ? null : longName(s);
        reset();
        if ((attr & ShortDirEntry.ATTR_VOLUME_ID) != 0 || (attr & 0xc0) != 0 || s.isDotEntry() || !plausible(s)) return null;
        String name = longName != null ? longName : s.deletedDisplayName(cp);
        return new FatDirectory.Item(name.getBytes(StandardCharsets.UTF_8), volumeOffset.applyAsLong(at), s);
    }

    /** The long name of the chain before {@code s}, or null when the chain does not fit it. */
    private String longName(ShortDirEntry s) {
        if (count == 0) return null;
        int sum = chain[0].checksum();
        for (int i = 1; i < count; i++) if (chain[i].checksum() != sum) return null;
        int first = firstByte(s, sum);
        if (first < 0 || !legal(first)) return null;
        char[] c = new char[count * LongNameEntry.CHARS];
        for (int i = 0; i < count; i++) {
            // storage order is last part first: chain[count - 1] is position 1
            System.arraycopy(chain[count - 1 - i].chars(), 0, c, i * LongNameEntry.CHARS, LongNameEntry.CHARS);
        }
        int len = 0;
        while (len < c.length && c[len] != 0) len++;
        if (len == 0 || len <= (count - 1) * LongNameEntry.CHARS) return null; // the terminator is in an earlier part
        return new String(c, 0, len);
    }

    /** The first name byte for which ChkSum of the 8.3 name gives {@code sum}, or -1. */
    private static int firstByte(ShortDirEntry s, int sum) {
        byte[] n = s.name().clone();
        for (int b = 0; b < 256; b++) {
            n[0] = (byte) b;
            if (ShortDirEntry.checksum(n) == sum) return b;
        }
        return -1;
    }

    /** A byte an 8.3 name may start with: 0x05 (standing for 0xE5), or a legal character other than a space or lower case. */
    private static boolean legal(int b) {
        if (b == 0x05) return true;
        if (b <= 0x20 || b == 0xE5 || b == 0x7f || (b >= 'a' && b <= 'z')) return false;
        return b >= 0x80 || ILLEGAL.indexOf(b) < 0;
    }

    /**
     * Whether {@code cluster}, found free, holds directory entries (what is left of a deleted
     * directory no live or deleted entry leads to): it starts with a deleted entry or a "." entry,
     * and every entry up to the end-of-directory mark is a long-name entry or a plausible 8.3 entry.
     */
    static boolean looksLikeDirectory(ByteBuffer cluster) {
        int first = cluster.get(0) & 0xff;
        if (first != ShortDirEntry.FREE && first != '.') return false;
        for (int at = 0; at + ShortDirEntry.SIZE <= cluster.limit(); at += ShortDirEntry.SIZE) {
            if (cluster.get(at) == 0) return true;
            int attr = cluster.get(at + 11) & 0xff;
            if ((attr & 0x3f) == ShortDirEntry.ATTR_LONG_NAME) continue;
            ShortDirEntry s = ShortDirEntry.parse(cluster, at);
            if ((attr & 0xc0) != 0 || !(s.isDotEntry() || plausible(s))) return false;
        }
        return true;
    }

    /** Bytes 1-10 of a deleted 8.3 name are characters a name may hold (garbage in a reused cluster mostly is not). */
    private static boolean plausible(ShortDirEntry s) {
        byte[] n = s.name();
        for (int i = 1; i < 11; i++) {
            int b = n[i] & 0xff;
            if (b < 0x20 || b == 0x7f || (b < 0x80 && ILLEGAL.indexOf(b) >= 0)) return false;
        }
        return true;
    }
}
