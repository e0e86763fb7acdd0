package io.vdetach.apply.offline;

import io.vdetach.error.HostException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Refuses devices that are in use: writing a mounted filesystem behind the kernel's back
 * corrupts it. Checks /proc/self/mountinfo (by path and by device number) and every loop
 * device backed by the file. (Java cannot open with O_EXCL; mountinfo and the loop table are
 * what the kernel itself knows about users of the device.)
 */
final class HostGuard {
    private HostGuard() {}

    static void checkNotInUse(Path device) throws IOException {
        Path real = device.toRealPath();
        long rdev = 0;
        boolean blockDev = false;
        try {
            int mode = (Integer) Files.getAttribute(real, "unix:mode");
            blockDev = (mode & 0170000) == 0060000;
            if (blockDev) rdev = (Long) Files.getAttribute(real, "unix:rdev");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view: fall back to path comparison only
        }
        String majMin = blockDev ? major(rdev) + ":" + minor(rdev) : null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 0 || dash + 2 >= f.length) continue;
            String source = unescape(f[dash + 2]);
            boolean same = f[2].equals(majMin) || samePath(source, real);
            if (same) throw new HostException(device + " is mounted on " + unescape(f[4]) + "; unmount it before an offline detach");
        }
        if (!blockDev) {
            Path sys = Path.of("/sys/block");
            if (!Files.isDirectory(sys)) return;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(sys, "loop*")) {
                for (Path loop : ds) {
                    Path bf = loop.resolve("loop/backing_file");
                    if (!Files.exists(bf)) continue;
                    String backing;
                    try {
                        backing = Files.readString(bf).strip();
                    } catch (IOException e) {
                        continue; // detached meanwhile
                    }
                    if (samePath(backing, real)) {
                        throw new HostException(device + " is attached to /dev/" + loop.getFileName()
                                + " (it may be mounted through it); detach it before an offline detach");
                    }
                }
            }
        } else {
            Path holders = Path.of("/sys/dev/block/" + majMin + "/holders");
            if (Files.isDirectory(holders)) {
                try (var s = Files.list(holders)) {
                    if (s.findAny().isPresent()) throw new HostException(device + " is held by another device (LVM, dm, md); stop that first");
                }
            }
        }
    }

    private static boolean samePath(String p, Path real) {
        if (!p.startsWith("/")) return false;
        try {
            Path q = Path.of(p);
            return Files.exists(q, LinkOption.NOFOLLOW_LINKS) && q.toRealPath().equals(real);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    // glibc's gnu_dev_major/minor encoding of dev_t
    private static long major(long d) { return ((d >>> 32) & 0xFFFFF000L) | ((d >>> 8) & 0xFFFL); }

    private static long minor(long d) { return ((d >>> 12) & 0xFFFFFF00L) | (d & 0xFFL); }
}
