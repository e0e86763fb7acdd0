package io.vdetach.sys;

import java.util.ArrayList;
import java.util.List;

/**
 * Opens a relative path strictly beneath a directory, never following a symlink in any
 * component: openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) where the kernel has it, else a
 * component-by-component walk with O_NOFOLLOW.
 */
public final class BeneathPath {
    private BeneathPath() {}

    private static volatile boolean noOpenat2;

    /** Opens {@code relative} (components separated by '/') beneath {@code dirfd}. */
    public static Fd open(Fd dirfd, byte[] relative, int flags, int mode) {
        List<byte[]> parts = split(relative);
        if (!noOpenat2) {
            try {
                return Linux.openat2(dirfd, relative, flags | Linux.O_NOFOLLOW, mode,
                        Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS);
            } catch (SysException e) {
                if (!e.is(Errno.ENOSYS)) throw e;
                noOpenat2 = true;
            }
        }
        return walk(dirfd, parts, flags, mode);
    }

    /** The fallback, public so tests can exercise it on kernels that have openat2. */
    public static Fd walk(Fd dirfd, List<byte[]> parts, int flags, int mode) {
        Fd cur = dirfd;
        try {
            for (int i = 0; i < parts.size() - 1; i++) {
                Fd next = Linux.openat(cur, parts.get(i), Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0);
                if (cur != dirfd) cur.close();
                cur = next;
            }
            return Linux.openat(cur, parts.getLast(), flags | Linux.O_NOFOLLOW, mode);
        } finally {
            if (cur != dirfd) cur.close();
        }
    }

    /** Splits on '/', refusing empty, "." and ".." components (ELOOP-like refusal as EINVAL). */
    public static List<byte[]> split(byte[] path) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                byte[] p = java.util.Arrays.copyOfRange(path, start, i);
                boolean dot = p.length == 1 && p[0] == '.';
                boolean dotdot = p.length == 2 && p[0] == '.' && p[1] == '.';
                if (p.length == 0 || dot || dotdot) {
                    throw new SysException("open beneath", new String(path, java.nio.charset.StandardCharsets.UTF_8),
                            Errno.EINVAL, "path component is empty, \".\" or \"..\"");
                }
                parts.add(p);
                start = i + 1;
            }
        }
        return parts;
    }
}
