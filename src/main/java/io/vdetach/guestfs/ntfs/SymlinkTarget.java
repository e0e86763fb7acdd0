package io.vdetach.guestfs.ntfs;

import io.vdetach.guestfs.DirEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The text ntfs-3g shows for a symbolic link or junction reparse point, with the mount point
 * taken as "" (so an absolute target starts with "/" at the volume's root):
 * <ul>
 * <li>relative symlink: the stored target with '\' turned into '/', when it names an existing
 *     entry (resolved case-insensitively from the link's directory), else "unsupported reparse tag";
 * <li>absolute symlink or junction to {@code \??\X:\path}: "/" + the real names of the entries
 *     found case-insensitively from the root, else "/.NTFS-3G/X:/path";
 * <li>anything else: "unsupported reparse tag 0x%08x", as ntfs-3g shows it.
 * </ul>
 */
final class SymlinkTarget {
    /** Path components followed at most, so a hostile target cannot make resolution long. */
    private static final int MAX_COMPONENTS = 512;

    private final NtfsFilesystem fs;

    SymlinkTarget(NtfsFilesystem fs) { this.fs = fs; }

    String of(ReparsePoint rp, long id) throws IOException {
        String unsupported = String.format("unsupported reparse tag 0x%08x", rp.tag());
        String sub = rp.substituteName();
        if (sub == null || sub.isEmpty()) return unsupported;
        DirectoryTree tree = fs.treeForLinks();
        if (rp.tag() == ReparsePoint.TAG_SYMLINK && rp.relative()) {
            long dir = tree.parentOf(id);
            if (dir < 0) return unsupported;
            return resolve(tree, dir, sub.split("\\\\", -1)) != null ? sub.replace('\\', '/') : unsupported;
        }
        if (sub.length() >= 6 && sub.startsWith("\\??\\") && sub.charAt(5) == ':' && Character.isLetter(sub.charAt(4))) {
            String path = sub.substring(6);
            List<String> real = resolve(tree, DirectoryTree.ROOT, path.split("\\\\", -1));
            if (real != null) return "/" + String.join("/", real);
            return "/.NTFS-3G/" + sub.substring(4, 6) + path.replace('\\', '/');
        }
        return unsupported;
    }

    /** The real names along {@code parts} from {@code dir}, or null when some part does not exist. */
    private List<String> resolve(DirectoryTree tree, long dir, String[] parts) throws IOException {
        if (parts.length > MAX_COMPONENTS) return null;
        List<String> real = new ArrayList<>();
        long cur = dir;
        for (String p : parts) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (!tree.isDirectory(cur)) return null;
            if (p.equals("..")) {
                if (cur == DirectoryTree.ROOT) return null;
                cur = tree.parentOf(cur);
                if (cur < 0) return null;
                if (!real.isEmpty()) real.removeLast(); else real.add("..");
                continue;
            }
            DirEntry found = null;
            for (DirEntry e : tree.children(cur)) {
                if (sameName(Names.string(e.name()), p)) { found = e; break; }
            }
            if (found == null) return null;
            real.add(Names.string(found.name()));
            cur = found.id();
        }
        return real;
    }

    private boolean sameName(String a, String b) {
        if (a.length() != b.length()) return false;
        char[] up = fs.upcase();
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x == y) continue;
            if (up.length == 65536 ? up[x] != up[y] : Character.toUpperCase(x) != Character.toUpperCase(y)) return false;
        }
        return true;
    }
}
