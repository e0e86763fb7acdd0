package io.vdetach.apply;

import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.SysException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Restores what a node says about itself: owner, mode, xattrs, times — in that order, since
 * chown clears setuid bits and every change but utimensat moves ctime. Failures are returned
 * as messages; the entry's content stays.
 */
final class MetadataWriter {
    private final boolean restoreOwners;
    private final boolean root;

    MetadataWriter(boolean restoreOwners) {
        this.root = Linux.geteuid() == 0;
        this.restoreOwners = restoreOwners || root;
    }

    /** For an open file or directory. */
    List<String> apply(Fd fd, Node n) {
        List<String> problems = new ArrayList<>();
        if (restoreOwners) attempt(problems, "owner", () -> Linux.fchown(fd, (int) n.uid(), (int) n.gid()));
        attempt(problems, "mode", () -> Linux.fchmod(fd, n.mode() & 07777));
        for (Xattr x : n.xattrs()) {
            if (!mayRestore(x.name())) continue;
            attempt(problems, "xattr " + x.name(), () -> Linux.fsetxattr(fd, x.name(), x.value()));
        }
        attempt(problems, "times", () -> times(fd, new byte[0], n));
        return problems;
    }

    /** For an entry that cannot be opened for writing (symlink, fifo, device, socket), by name. */
    List<String> applyAt(Fd dirfd, byte[] name, Node n) {
        List<String> problems = new ArrayList<>();
        if (restoreOwners) attempt(problems, "owner", () -> Linux.lchownat(dirfd, name, (int) n.uid(), (int) n.gid()));
        if (n.type() != EntryType.SYMLINK) attempt(problems, "mode", () -> Linux.fchmodat(dirfd, name, n.mode() & 07777));
        for (Xattr x : n.xattrs()) {
            if (!mayRestore(x.name())) continue;
            // the kernel refuses user.* on symlinks and special files: nothing to restore there
            if (x.name().startsWith("user.") && n.type() != EntryType.FILE && n.type() != EntryType.DIRECTORY) {
                problems.add("xattr " + x.name() + ": user.* attributes cannot be set on a " + n.type().name().toLowerCase());
                continue;
            }
            attempt(problems, "xattr " + x.name(), () -> Linux.lsetxattrAt(dirfd, name, x.name(), x.value()));
        }
        attempt(problems, "times", () -> times(dirfd, name, n));
        return problems;
    }

    private boolean mayRestore(String xattr) {
        if (xattr.startsWith("user.")) return true;
        // XFS keeps POSIX ACLs under these names too; they are restored as system.posix_acl_*,
        // which an XFS host stores under them again and any other host would keep as junk.
        if (xattr.startsWith("trusted.SGI_ACL_")) return false;
        if (xattr.startsWith("trusted.") || xattr.startsWith("security.")) return root;
        return xattr.startsWith("system.posix_acl_");
    }

    private static void times(Fd fd, byte[] name, Node n) {
        Instant m = n.mtime();
        Instant a = n.atime() == null ? m : n.atime();
        Linux.utimens(fd, name, a.getEpochSecond(), a.getNano(), m.getEpochSecond(), m.getNano());
    }

    private static void attempt(List<String> problems, String what, Runnable r) {
        try {
            r.run();
        } catch (SysException e) {
            problems.add(what + " not restored: " + e.getMessage());
        }
    }
}
