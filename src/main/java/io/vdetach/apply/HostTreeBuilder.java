package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.plan.ConflictPolicy;
import io.vdetach.sys.Errno;
import io.vdetach.sys.Fd;
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
    private final Tally report;
    /** Renaming gives up after this many tries: "name (1)" … "name (9999)". */
    private static final int MAX_RENAMES = 9999;

    HostTreeBuilder(ConflictPolicy policy, Tally report) {
        this.policy = policy;
        this.report = report;
    }

    /** Creates one name (EEXIST when it is taken) and returns what it made: an open file, or nothing. */
    @FunctionalInterface
    interface Creator<T> {
        T create(byte[] name);
    }

    /** Creates one name that yields nothing (a directory, symlink, link). */
    @FunctionalInterface
    interface Action {
        void create(byte[] name);
    }

    /** The name an entry got, and what creating it returned (an open file descriptor, or null). */
    record Created<T>(byte[] name, T made) {}

    /** Creates one name; returns the name used, or null when it was skipped. */
    byte[] create(Fd dirfd, byte[] name, EntryPath displayPath, boolean creatingDirectory, Action action) {
        Created<Object> c = createWith(dirfd, name, displayPath, creatingDirectory, n -> {
            action.create(n);
            return null;
        });
        return c == null ? null : c.name();
    }

    /** Creates one name; returns the name used and what the creator made, or null when it was skipped. */
    <T> Created<T> createWith(Fd dirfd, byte[] name, EntryPath displayPath, boolean creatingDirectory, Creator<T> creator) {
        try {
            return new Created<>(name, creator.create(name));
        } catch (SysException e) {
            if (!e.is(Errno.EEXIST)) throw e;
        }
        Stat existing = Linux.fstatat(dirfd, name, Linux.AT_SYMLINK_NOFOLLOW);
        if (creatingDirectory && existing.isDirectory()) return new Created<>(name, null); // merge into a directory already there
        switch (policy) {
            case SKIP -> {
                report.conflict(displayPath.toString(), "skipped", null);
                return null;
            }
            case FAIL -> throw new Abort(displayPath + ": already exists in DEST (--on-conflict fail)");
            case OVERWRITE -> {
                if (existing.isDirectory()) {
                    throw new EntryFailure(ErrorKind.HOST, displayPath + ": a directory is in the way; not overwritten");
                }
                Linux.unlinkat(dirfd, name, 0);
                T made = creator.create(name);
                report.conflict(displayPath.toString(), "overwritten", null);
                return new Created<>(name, made);
            }
            case RENAME -> {
                for (int i = 1; i <= MAX_RENAMES; i++) {
                    byte[] alt = ConflictPolicy.renamed(name, i);
                    try {
                        T made = creator.create(alt);
                        report.conflict(displayPath.toString(), "renamed", new String(alt, StandardCharsets.UTF_8));
                        return new Created<>(alt, made);
                    } catch (SysException e) {
                        if (!e.is(Errno.EEXIST)) throw e;
                    }
                }
                throw new EntryFailure(ErrorKind.HOST, displayPath + ": " + MAX_RENAMES + " renamed copies exist already");
            }
        }
        throw new IllegalStateException();
    }
}
