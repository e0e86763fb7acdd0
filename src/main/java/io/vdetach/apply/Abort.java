package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.sys.Errno;
import io.vdetach.sys.SysException;

/**
 * A failure that stops the whole extraction (exit 4) instead of failing one entry: a name
 * conflict under --on-conflict fail, or the host running out of space, read-only or failing.
 */
final class Abort extends HostException {
    Abort(String message) {
        super(message);
    }

    static boolean isFatal(Throwable e) {
        if (e instanceof Abort) return true;
        return e instanceof SysException s
                && (s.is(Errno.ENOSPC) || s.is(Errno.EDQUOT) || s.is(Errno.EROFS) || s.is(Errno.EIO));
    }
}
