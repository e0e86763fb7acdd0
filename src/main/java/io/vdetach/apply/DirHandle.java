package io.vdetach.apply;

import io.vdetach.sys.Fd;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A created host directory's descriptor, shared by the walker and the file tasks queued into it;
 * when the last of them lets go, its finishing step runs (its own metadata, see {@link Finisher})
 * and it is closed. It knows its parent and its own name, not its whole path: a tree 2,000 levels
 * deep would otherwise hold a path per level, each as long as the tree is deep.
 */
final class DirHandle {
    final Fd fd;
    /** The directory it was made in; null for DEST itself and for a volume's directory made in DEST. */
    private final DirHandle parent;
    /** Its name in the parent, or in DEST; empty for DEST itself. */
    private final byte[] name;
    private final boolean owned;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile Consumer<DirHandle> whenDone;
    /** Hard links get names in it after the walk: its metadata must wait until they exist. */
    private volatile boolean receivesLinks;

    DirHandle(Fd fd, DirHandle parent, byte[] name, boolean owned) {
        this.fd = fd;
        this.parent = parent;
        this.name = name;
        this.owned = owned;
    }

    /** DEST itself (borrowed, never closed), or nothing at all in a dry run ({@code fd} null). */
    static DirHandle root(Fd fd) {
        return new DirHandle(fd, null, new byte[0], false);
    }

    /** Path relative to DEST's descriptor, '/'-joined; empty for DEST itself. Built on each call. */
    byte[] hostPath() {
        Deque<byte[]> parts = new ArrayDeque<>();
        for (DirHandle d = this; d != null; d = d.parent) if (d.name.length > 0) parts.push(d.name);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            if (o.size() > 0) o.write('/');
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** {@code step} runs once, when the last holder releases the directory, before it is closed. */
    void whenDone(Consumer<DirHandle> step) {
        this.whenDone = step;
    }

    void receivesLinks() {
        receivesLinks = true;
    }

    boolean receivingLinks() {
        return receivesLinks;
    }

    DirHandle retain() {
        refs.incrementAndGet();
        return this;
    }

    void release() {
        if (refs.decrementAndGet() != 0) return;
        try {
            Consumer<DirHandle> step = whenDone;
            if (step != null) step.accept(this);
        } finally {
            if (owned) fd.close();
        }
    }
}
