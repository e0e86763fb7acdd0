package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.guestfs.Node;
import io.vdetach.sys.BeneathPath;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What must wait: a directory's own metadata until nothing more is created in it (creating
 * entries changes a directory's mtime), which is when its {@link DirHandle} is released last;
 * second and later names of hard links until every file exists (their first name is made by a
 * writer thread), then the metadata of the directories they go into. Only those directories, and
 * (when not root) the modes that would lock us out of a directory, are kept to the end: the state
 * of every other directory is let go when it is finished. Directories are reopened beneath DEST
 * by path, never following a symlink.
 */
final class Finisher {
    private record Link(long id, DirHandle dir, byte[] name, EntryPath display, Tally.Volume vf, PendingEntry evidence) {}

    private record FirstName(DirHandle dir, byte[] name) {}

    /** A directory finished late: all its metadata ({@code modeOnly} false), or only its mode. */
    private record Late(DirHandle dir, Node node, boolean modeOnly, EntryPath display, Tally.Volume vf) {}

    private record Key(Tally.Volume vf, long id) {}

    private final MetadataWriter metadata;
    private final Tally report;
    private final boolean root = Linux.geteuid() == 0;
    /** Node id (per volume, so keyed with its figures) &rarr; where its first name is. */
    private final Map<Key, FirstName> firstNames = new ConcurrentHashMap<>();
    private final List<Link> links = new ArrayList<>();
    /** Added to when a directory is released, possibly by a writer thread. */
    private final List<Late> late = new ArrayList<>();

    Finisher(MetadataWriter metadata, Tally report) {
        this.metadata = metadata;
        this.report = report;
    }

    void firstName(Tally.Volume vf, long id, DirHandle dir, byte[] name) {
        firstNames.put(new Key(vf, id), new FirstName(dir, name));
    }

    /**
     * Walker thread: another name of a node whose first name is (or will be) made elsewhere;
     * {@code evidence} is told where the name was made, or why not.
     */
    void link(Tally.Volume vf, long id, DirHandle dir, byte[] name, EntryPath display, PendingEntry evidence) {
        dir.receivesLinks();
        links.add(new Link(id, dir, name, display, vf, evidence));
    }

    /** Makes {@code dir} get {@code node}'s metadata once nothing more is created in it. */
    void directory(Tally.Volume vf, DirHandle dir, Node node, EntryPath display) {
        dir.whenDone(d -> done(vf, d, node, display));
    }

    private void done(Tally.Volume vf, DirHandle dir, Node node, EntryPath display) {
        if (dir.receivingLinks()) {
            later(new Late(dir, node, false, display, vf));
            return;
        }
        Node now = node;
        if (!root && (node.mode() & 0700) != 0700) {
            // Without root, a mode without rwx for us would stop hard links and reopening beneath it: set it last.
            now = withMode(node, node.mode() | 0700);
            later(new Late(dir, node, true, display, vf));
        }
        try {
            metadata.apply(dir.fd, now).forEach(p -> report.error(vf, display.toString(), p, ErrorKind.HOST));
        } catch (RuntimeException e) {
            report.error(vf, display.toString(), e);
        }
    }

    private synchronized void later(Late l) {
        late.add(l);
    }

    /** After every file is written: hard links, then the directories that waited (children before their parents). */
    void finish(Fd destFd, HostTreeBuilder builder) {
        for (Link l : links) {
            FirstName first = firstNames.get(new Key(l.vf, l.id));
            if (first == null) {
                report.error(l.vf, l.display.toString(), "hard link: its first name was not created", ErrorKind.HOST);
                l.evidence.fail("hard link: its first name was not created", ErrorKind.HOST);
                continue;
            }
            try (Beneath from = Beneath.open(destFd, first.dir.hostPath());
                 Beneath to = Beneath.open(destFd, l.dir.hostPath())) {
                byte[] used = builder.create(to.fd(), l.name, l.display, false, n -> Linux.linkat(from.fd(), first.name, to.fd(), n));
                if (used != null) {
                    report.hardlink(l.vf);
                    l.evidence.created(l.dir, used);
                    l.evidence.done();
                } else {
                    l.evidence.skip(VolumeExtraction.SKIPPED);
                }
            } catch (RuntimeException e) {
                report.error(l.vf, l.display.toString(), e);
                l.evidence.fail(e);
            }
        }
        List<Late> waiting;
        synchronized (this) {
            waiting = List.copyOf(late);
        }
        for (Late d : waiting) {
            try (Beneath dir = Beneath.open(destFd, d.dir.hostPath())) {
                if (d.modeOnly) Linux.fchmod(dir.fd(), d.node.mode() & 07777);
                else metadata.apply(dir.fd(), d.node).forEach(p -> report.error(d.vf, d.display.toString(), p, ErrorKind.HOST));
            } catch (RuntimeException e) {
                report.error(d.vf, d.display.toString(), e);
            }
        }
    }

    private static Node withMode(Node n, int mode) {
        return new Node(n.id(), n.type(), mode, n.uid(), n.gid(), n.size(), n.nlink(), n.mtime(), n.atime(), n.ctime(), n.btime(),
                n.symlinkTarget(), n.rdevMajor(), n.rdevMinor(), n.xattrs(), n.notes(), n.fileAttributes());
    }

    /** A directory beneath DEST opened by path without following symlinks; DEST itself is borrowed, not closed. */
    private record Beneath(Fd fd, boolean owned) implements AutoCloseable {
        static Beneath open(Fd dest, byte[] path) {
            if (path.length == 0) return new Beneath(dest, false);
            return new Beneath(BeneathPath.open(dest, path, Linux.O_RDONLY | Linux.O_DIRECTORY, 0), true);
        }

        @Override
        public void close() {
            if (owned) fd.close();
        }
    }

    static int lastSlash(byte[] p) {
        for (int i = p.length - 1; i >= 0; i--) if (p[i] == '/') return i;
        return -1;
    }
}
