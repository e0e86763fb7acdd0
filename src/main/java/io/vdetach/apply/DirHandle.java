package io.vdetach.apply;

import io.vdetach.sys.Fd;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A created host directory's descriptor, shared by the walker and the file tasks queued
 * into it; closed when the last of them lets go.
 */
final class DirHandle {
    final Fd fd;
    /** Path relative to DEST's descriptor, '/'-joined; empty for DEST itself. */
    final byte[] hostPath;
    private final boolean owned;
    private final AtomicInteger refs = new AtomicInteger(1);

    DirHandle(Fd fd, byte[] hostPath, boolean owned) {
        this.fd = fd;
        this.hostPath = hostPath;
        this.owned = owned;
    }

    DirHandle retain() {
        refs.incrementAndGet();
        return this;
    }

    void release() {
        if (refs.decrementAndGet() == 0 && owned) fd.close();
    }
}
