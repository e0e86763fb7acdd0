package io.vdetach.evidence;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Sleuth Kit 3.x body format, one line per entry,
 * {@code MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime}, for mactime and
 * plaso. Names follow dfimagetools' conventions (docs/sources/Bodyfile-format.md there): '/'
 * separates components, a symlink is {@code name -> target}, an NTFS inode is {@code MFT-seq};
 * inside a component '\', '|', '/', ':', C0 and C1 controls and DEL, and every byte of an invalid
 * UTF-8 sequence are written as {@code \xNN}, so that no name adds a field — mactime splits on
 * every '|', escaped or not.
 */
public final class Bodyfile {
    private Bodyfile() {}

    /** MD5 column when hashing is off. */
    public static final String NOT_HASHED = "0";

    /**
     * @param md5 hex MD5, or {@link #NOT_HASHED}
     * @param path components of the guest path, volume first ("p1", "etc", "hosts")
     * @param linkTarget a symlink's raw target, else null
     * @param crtime creation time, or null where the filesystem has none (written as 0, as fls does)
     */
    public record Line(String md5, List<byte[]> path, byte[] linkTarget, String inode, String mode, long uid, long gid,
                       long size, Timestamp atime, Timestamp mtime, Timestamp ctime, Timestamp crtime) {

        public String render() {
            StringBuilder b = new StringBuilder(128);
            b.append(md5).append('|');
            for (int i = 0; i < path.size(); i++) {
                if (i > 0) b.append('/');
                component(b, path.get(i));
            }
            if (linkTarget != null) {
                b.append(" -> ");
                target(b, linkTarget);
            }
            b.append('|').append(inode).append('|').append(mode).append('|').append(uid).append('|').append(gid)
                    .append('|').append(size).append('|').append(seconds(atime)).append('|').append(seconds(mtime))
                    .append('|').append(seconds(ctime)).append('|').append(seconds(crtime));
            return b.toString();
        }
    }

    private static String seconds(Timestamp t) {
        return t == null ? "0" : t.bodyfileSeconds();
    }

    /** One path component: the separator '/' is escaped too. */
    static void component(StringBuilder b, byte[] name) {
        escape(b, name, true);
    }

    /** A link target keeps its '/' (it is a path). */
    static void target(StringBuilder b, byte[] target) {
        escape(b, target, false);
    }

    private static void escape(StringBuilder b, byte[] raw, boolean slash) {
        if (!NameText.isUtf8(raw)) {
            escapeInvalid(b, raw, slash);
            return;
        }
        // a literal backslash becomes \x5c, so an escape can never be mistaken for name text
        String s = new String(raw, StandardCharsets.UTF_8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\\' || c == '|' || c == ':' || (slash && c == '/')) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
    }

    /** Bytes that are not all valid UTF-8: valid sequences as text (escaped as above), every other byte as \xNN. */
    private static void escapeInvalid(StringBuilder b, byte[] raw, boolean slash) {
        int i = 0;
        while (i < raw.length) {
            int len = sequenceLength(raw, i);
            if (len <= 0) {
                b.append(String.format("\\x%02x", raw[i] & 0xff));
                i++;
                continue;
            }
            escape(b, java.util.Arrays.copyOfRange(raw, i, i + len), slash);
            i += len;
        }
    }

    /** Length of the valid UTF-8 sequence starting at {@code i}, or 0 when there is none. */
    private static int sequenceLength(byte[] raw, int i) {
        int lead = raw[i] & 0xff;
        int len = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3
                : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
        if (len == 0 || i + len > raw.length) return 0;
        byte[] seq = java.util.Arrays.copyOfRange(raw, i, i + len);
        return NameText.isUtf8(seq) ? len : 0;
    }

    /** "-rw-r--r--", "drwxr-xr-x", "lrwxrwxrwx", with s/S/t/T for setuid, setgid and sticky. */
    public static String modeString(char type, int mode) {
        char[] m = new char[10];
        m[0] = type;
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) m[i + 1] = (mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-';
        if ((mode & 04000) != 0) m[3] = m[3] == 'x' ? 's' : 'S';
        if ((mode & 02000) != 0) m[6] = m[6] == 'x' ? 's' : 'S';
        if ((mode & 01000) != 0) m[9] = m[9] == 'x' ? 't' : 'T';
        return new String(m);
    }
}
