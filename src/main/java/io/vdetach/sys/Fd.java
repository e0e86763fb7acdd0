package io.vdetach.sys;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open file descriptor, closed exactly once. Outside {@code sys} descriptors are only ever
 * these: a closed one is refused (EBADF) instead of being reused by number, which a plain int
 * cannot promise once the kernel hands the number to the next open.
 */
public final class Fd implements AutoCloseable {
    /** The current directory, for *at calls on paths; never closed. */
    public static final Fd CWD = new Fd(Linux.AT_FDCWD, false);

    private final int number;
    private final boolean owned;
    private final AtomicBoolean closed = new AtomicBoolean();

    Fd(int number, boolean owned) {
        this.number = number;
        this.owned = owned;
    }

    /** The number, for the system call about to be made; EBADF once closed. */
    int number() {
        if (closed.get()) throw new SysException("use of a closed descriptor", toString(), Errno.EBADF, "Bad file descriptor");
        return number;
    }

    public boolean isOpen() { return !closed.get(); }

    /** Closes the descriptor; a second call does nothing. */
    @Override
    public void close() {
        if (!owned || !closed.compareAndSet(false, true)) return;
        Linux.closeNumber(number);
    }

    /**
     * The same open file again, with other flags (O_DIRECT for the copy engines), through
     * /proc/self/fd; null where the file's filesystem refuses those flags.
     */
    public Fd reopen(int flags) {
        try {
            return Linux.open("/proc/self/fd/" + number(), flags, 0);
        } catch (SysException e) {
            return null;
        }
    }

    @Override
    public String toString() { return "fd " + number; }
}
