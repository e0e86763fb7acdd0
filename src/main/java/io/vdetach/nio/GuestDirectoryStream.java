package io.vdetach.nio;

import io.vdetach.api.Entry;
import io.vdetach.api.GuestVolume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * A directory's entries as paths that remember their entries, read as they are iterated; the
 * image's root lists the volumes. One iterator per stream, as the JDK's own.
 */
final class GuestDirectoryStream implements DirectoryStream<Path> {
    private final GuestPath dir;
    private final Stream<Entry> children;
    private final Filter<? super Path> filter;
    private boolean iterated;
    private volatile boolean closed;

    /** @param entry the directory; null for the image's root */
    GuestDirectoryStream(GuestPath dir, Entry entry, Filter<? super Path> filter) throws IOException {
        this.dir = dir;
        this.children = entry == null ? null : entry.children();
        this.filter = filter;
    }

    @Override
    public synchronized Iterator<Path> iterator() {
        if (closed) throw new IllegalStateException("directory stream closed");
        if (iterated) throw new IllegalStateException("iterator already obtained");
        iterated = true;
        Iterator<GuestPath> source = children == null ? volumes() : children.map(e -> dir.child(e.name(), e)).iterator();
        return new Iterator<>() {
            private Path next;

            @Override
            public boolean hasNext() {
                while (next == null && !closed) {
                    GuestPath p;
                    try {
                        if (!source.hasNext()) return false;
                        p = source.next();
                    } catch (UncheckedIOException e) {
                        throw new DirectoryIteratorException(e.getCause());
                    }
                    try {
                        if (filter == null || filter.accept(p)) next = p;
                    } catch (IOException e) {
                        throw new DirectoryIteratorException(e);
                    }
                }
                return next != null;
            }

            @Override
            public Path next() {
                if (!hasNext()) throw new NoSuchElementException();
                Path p = next;
                next = null;
                return p;
            }
        };
    }

    /** The volumes: paths to their roots, each remembering its root entry when the volume is readable. */
    private Iterator<GuestPath> volumes() {
        GuestFileSystem fs = dir.getFileSystem();
        return fs.listedVolumes().stream().map(v -> dir.child(v.name(), rootOrNull(v))).iterator();
    }

    private static Entry rootOrNull(GuestVolume v) {
        try {
            return v.readable() ? v.root() : null;
        } catch (IOException e) {
            return null; // reading the path says why
        }
    }

    @Override
    public void close() {
        closed = true;
        if (children != null) children.close();
    }
}
