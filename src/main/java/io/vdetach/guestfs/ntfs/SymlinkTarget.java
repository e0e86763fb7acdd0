package io.vdetach.guestfs.ntfs;

import io.vdetach.guestfs.DirEntry;
import java.io.IOException;

/**
 * The text ntfs-3g shows for a symbolic link or junction reparse point, with its mount point
 * taken as "" (so a target on the volume starts with "/" at the volume's root). Reproduced
 * from ntfs-3g's observable behaviour (checked against its mounts in NtfsOracleTest):
 * <ul>
 * <li>junctions and symlinks without the relative flag whose target is {@code \??\X:\path}:
 *     looked up component by component, case-insensitively, from the root; found (and of the
 *     link's own kind, file or directory) → "/" + path with the names' stored case; else
 *     "/.NTFS-3G/X:/path" (the components found so far in stored case);
 * <li>symlinks with the relative flag and a target "X:\path" or "\path": the same lookup;
 *     "X:\" targets not found → "/.NTFS-3G/X:/path", "\" targets not found → unsupported;
 * <li>relative symlinks: '\' becomes '/' and each component but the last one is looked up
 *     from the link's directory; a missing one makes the link unsupported;
 * <li>anything else: "unsupported reparse tag 0x%08x".
 * </ul>
 */
final class SymlinkTarget {
    /** Components examined in a relative target (ntfs-3g's own safety limit). */
    private static final int MAX_RELATIVE_STEPS = 31;
    private static final int REPARSE_ATTRIBUTE = 0x400;

    private final NtfsFilesystem fs;
    private final DirectoryTree tree;

    SymlinkTarget(NtfsFilesystem fs) throws IOException {
        this.fs = fs;
        this.tree = fs.treeForLinks();
    }

    static String unsupported(int tag) {
        return String.format("unsupported reparse tag 0x%08x", tag);
    }

    String of(ReparsePoint rp, long id, boolean isDir) throws IOException {
        String sub = rp.substituteName();
        if (sub == null || sub.isEmpty()) return unsupported(rp.tag());
        char[] p = sub.toCharArray();
        String out = null;
        if (rp.tag() == ReparsePoint.TAG_MOUNT_POINT) {
            if (isDir) out = full(p, isDir);
        } else if (p[0] == '\\' && p.length > 1 && (p[1] == '?' || p[1] == '\\')) {
            if (!rp.relative()) out = full(p, isDir);
        } else if (p[0] == '\\' || (p.length > 1 && p[1] == ':')) {
            if (rp.relative()) out = absolute(p, isDir);
        } else if (rp.relative()) {
            out = relative(p, id, isDir);
        }
        return out == null ? unsupported(rp.tag()) : out;
    }

    /** {@code \??\X:\path} (directory junction form) or {@code \??\Volume{…}\}. */
    private String full(char[] p, boolean isDir) throws IOException {
        boolean dirJunction = p.length >= 7 && p[0] == '\\' && p[1] == '?' && p[2] == '?' && p[3] == '\\'
                && p[4] != 0 && p[5] == ':' && p[6] == '\\';
        boolean volJunction = p.length >= 12 && new String(p, 0, 11).equals("\\??\\Volume{") && p[p.length - 1] == '\\';
        if (dirJunction && p.length >= 8 && p[7] != 0 && !driveMapped(p[4])) {
            String found = searchAbsolute(p, 7, isDir);
            if (found != null) return "/" + found;
        }
        if (dirJunction || volJunction) return mapping(new String(p, 4, p.length - (volJunction ? 5 : 4)));
        return null;
    }

    /** {@code X:\path} or {@code \path} stored with the relative flag. */
    private String absolute(char[] p, boolean isDir) throws IOException {
        boolean fullPath = p.length >= 3 && p[0] != 0 && p[1] == ':' && p[2] == '\\';
        boolean absPath = !fullPath && p[0] == '\\';
        String found = null;
        if (fullPath && p.length >= 4 && p[3] != 0 && !driveMapped(p[0])) found = searchAbsolute(p, 3, isDir);
        else if (absPath) found = searchAbsolute(p, 1, isDir);
        if (found != null) return "/" + found;
        if (fullPath) return mapping(new String(p));
        return null;
    }

    /** "/.NTFS-3G/" + the target with slashes reversed and an upper-case drive letter. */
    private static String mapping(String target) {
        char[] t = target.replace('\\', '/').toCharArray();
        if (t.length > 1 && t[1] == ':' && t[0] >= 'a' && t[0] <= 'z') t[0] -= 'a' - 'A';
        return "/.NTFS-3G/" + new String(t);
    }

    /** True when the volume holds ".NTFS-3G/X:", which tells ntfs-3g that drive X is elsewhere. */
    private boolean driveMapped(char letter) throws IOException {
        DirEntry dir = lookup(DirectoryTree.ROOT, ".NTFS-3G".toCharArray(), 0, 8);
        if (dir == null) return false;
        char[] name = {Character.toUpperCase(letter), ':'};
        return lookup(dir.id(), name, 0, 2) != null;
    }

    /**
     * Follows {@code p[from…]} from the root, fixing each found component's case in place and
     * turning its separator into '/'; stops at the end, a missing name, a non-directory or a
     * reparse point. Returns the rewritten path from {@code from}, or null when the last entry
     * reached is missing, or is not of the link's kind and not a reparse point.
     */
    private String searchAbsolute(char[] p, int from, boolean isDir) throws IOException {
        long cur = DirectoryTree.ROOT;
        int start = from;
        int count = p.length;
        boolean reparse = false;
        do {
            int len = 0;
            while (start + len < count && p[start + len] != '\\') len++;
            DirEntry e = lookup(cur, p, start, len);
            if (e == null) return null;
            fixCase(p, start, e);
            cur = e.id();
            reparse = (fs.dosAttributes(cur) & REPARSE_ATTRIBUTE) != 0;
            start += len;
            if (start < count) p[start++] = '/';
        } while (tree.isDirectory(cur) && !reparse && start < count);
        if (tree.isDirectory(cur) == isDir || reparse) return new String(p, from, count - from);
        return null;
    }

    private String relative(char[] p, long id, boolean isDir) throws IOException {
        long cur = tree.parentOf(id);
        int count = p.length;
        int pos = 0;
        boolean ok = cur >= 0;
        boolean moreLinks = false;
        int steps = MAX_RELATIVE_STEPS;
        while (cur >= 0 && ok && !moreLinks && pos < count - 1 && steps-- > 0) {
            if (count >= pos + 2 && p[pos] == '.' && p[pos + 1] == '\\') {
                p[pos + 1] = '/';
                pos += 2;
            } else if (count >= pos + 3 && p[pos] == '.' && p[pos + 1] == '.' && p[pos + 2] == '\\') {
                p[pos + 2] = '/';
                pos += 3;
                cur = cur == DirectoryTree.ROOT ? -1 : tree.parentOf(cur);
                if (cur < 0) ok = false;
            } else {
                int len = 0;
                while (pos + len < count && p[pos + len] != '\\') len++;
                DirEntry e = len > 0 ? lookup(cur, p, pos, len) : null;
                if (e == null) {
                    ok = false;
                } else {
                    fixCase(p, pos, e);
                    cur = e.id();
                    if ((fs.dosAttributes(cur) & REPARSE_ATTRIBUTE) != 0) moreLinks = true;
                    if (pos + len < count) {
                        p[pos + len] = '/';
                        pos += len + 1;
                    } else {
                        pos += len;
                        if (!moreLinks && tree.isDirectory(cur) != isDir) ok = false;
                    }
                }
            }
        }
        return ok ? new String(p) : null;
    }

    /** The entry of {@code dir} whose name equals {@code p[at, at + len)} ignoring case ($UpCase), or null. */
    private DirEntry lookup(long dir, char[] p, int at, int len) throws IOException {
        if (len == 0 || !tree.isDirectory(dir)) return null;
        return fs.lookupIgnoringCase(dir, new String(p, at, len));
    }

    private static void fixCase(char[] p, int at, DirEntry e) {
        String name = Names.string(e.name());
        name.getChars(0, name.length(), p, at);
    }

}
