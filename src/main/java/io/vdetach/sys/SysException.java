package io.vdetach.sys;

import io.vdetach.error.HostException;

/** A failed system call: names the call, its subject, errno and strerror. */
public final class SysException extends HostException {
    private final int errno;
    private final String call;

    SysException(String call, String subject, int errno, String strerror) {
        super(call + "(" + subject + "): " + strerror + " (errno " + errno + ")");
        this.errno = errno;
        this.call = call;
    }

    public int errno() { return errno; }

    public String call() { return call; }

    public boolean is(int e) { return errno == e; }
}
