package io.vdetach.apply;

import io.vdetach.plan.ConflictPolicy;
import io.vdetach.sys.Errno;
import io.vdetach.sys.Linux;
import io.vdetach.sys.Stat;
import io.vdetach.sys.SysException;
import java.nio.charset.StandardCharsets;

/**
 * Creates names inside directory descriptors, never following a symlink, resolving a name
 * that already exists by the conflict policy.
 */
final class HostTreeBuilder {
    private final ConflictPolicy policy;
    private final Report report;
    /** Renaming gives up after this many tries: "name (1)" … "name (9999)". */
    private static final int MAX_RENAMES = 9999;

    HostTreeBuilder(ConflictPolicy policy, Report report) {
        this.policy = policy;
        this.report = report;
    }

    /** Creates one name; returns the name used, or null when it was skipped. */
    @FunctionalInterface
    interface Creator {
        void create(byte[] name);
    }

    byte[] create(int dirfd, byte[] name, String displayPath, boolean creatingDirectory, Creator creator) {
        try {
            creator.create(name);
            return name;
        } catch (SysException e) {
            if (!e.is(Errno.EEXIST)) throw e;
        }
        Stat existing = Linux.fstatat(dirfd, name, Linux.AT_SYMLINK_NOFOLLOW);
        if (creatingDirectory && existing.isDirectory()) return name; // merge into a directory already there
        switch (policy) {
            case SKIP -> {
                report.conflict(displayPath, "skipped", null);
                return null;
            }
            case FAIL -> throw new Abort(displayPath + ": already exists in DEST (--on-conflict fail)");
            case OVERWRITE -> {
                if (existing.isDirectory()) {
                    throw new EntryFailure(displayPath + ": a directory is in the way; not overwritten");
                }
                Linux.unlinkat(dirfd, name, 0);
                creator.create(name);
                report.conflict(displayPath, "overwritten", null);
                return name;
            }
            case RENAME -> {
                for (int i = 1; i <= MAX_RENAMES; i++) {
                    byte[] alt = ConflictPolicy.renamed(name, i);
                    try {
                        creator.create(alt);
                        report.conflict(displayPath, "renamed", new String(alt, StandardCharsets.UTF_8));
                        return alt;
                    } catch (SysException e) {
                        if (!e.is(Errno.EEXIST)) throw e;
                    }
                }
                throw new EntryFailure(displayPath + ": " + MAX_RENAMES + " renamed copies exist already");
            }
        }
        throw new IllegalStateException();
    }
}
