package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.guestfs.Node;
import io.vdetach.sys.BeneathPath;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What must wait until every file exists: second and later names of hard links (their first
 * name is created by a writer thread), then directories' modes and times (creating entries
 * changes a directory's mtime). Directories are reopened beneath DEST by path, never
 * following a symlink.
 */
final class Finisher {
    private record Link(long id, byte[] dirPath, byte[] name, String display, Tally.Volume vf, PendingEntry evidence) {}

    private record DirMeta(byte[] hostPath, Node node, String display, Tally.Volume vf) {}

    /** Node id (per volume, so keyed with its figures) &rarr; host path of its first name. */
    private final Map<Object, byte[]> firstNames = new ConcurrentHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final List<DirMeta> dirs = new ArrayList<>();

    void firstName(Tally.Volume vf, long id, byte[] hostPath) {
        firstNames.put(key(vf, id), hostPath);
    }

    void link(Tally.Volume vf, long id, byte[] dirPath, byte[] name, String display) {
        link(vf, id, dirPath, name, display, PendingEntry.NONE);
    }

    /** @param evidence told where the name was made, or why not */
    void link(Tally.Volume vf, long id, byte[] dirPath, byte[] name, String display, PendingEntry evidence) {
        links.add(new Link(id, dirPath, name, display, vf, evidence));
    }

    void directory(Tally.Volume vf, byte[] hostPath, Node node, String display) {
        dirs.add(new DirMeta(hostPath, node, display, vf));
    }

    void finish(Fd destFd, HostTreeBuilder builder, MetadataWriter metadata, Tally report) {
        for (Link l : links) {
            byte[] first = firstNames.get(key(l.vf, l.id));
            if (first == null) {
                report.error(l.vf, l.display, "hard link: its first name was not created", ErrorKind.HOST);
                l.evidence.fail("hard link: its first name was not created", ErrorKind.HOST);
                continue;
            }
            int slash = lastSlash(first);
            byte[] firstName = Arrays.copyOfRange(first, slash + 1, first.length);
            try (Beneath from = Beneath.open(destFd, slash < 0 ? new byte[0] : Arrays.copyOf(first, slash));
                 Beneath to = Beneath.open(destFd, l.dirPath)) {
                byte[] used = builder.create(to.fd(), l.name, l.display, false, n -> Linux.linkat(from.fd(), firstName, to.fd(), n));
                if (used != null) {
                    report.hardlink(l.vf);
                    l.evidence.created(VolumeExtraction.join(l.dirPath, used));
                    l.evidence.done();
                } else {
                    l.evidence.skip(VolumeExtraction.SKIPPED);
                }
            } catch (RuntimeException e) {
                report.error(l.vf, l.display, e);
                l.evidence.fail(e);
            }
        }
        for (DirMeta d : dirs) {
            try (Beneath dir = Beneath.open(destFd, d.hostPath)) {
                metadata.apply(dir.fd(), d.node).forEach(p -> report.error(d.vf, d.display, p, ErrorKind.HOST));
            } catch (RuntimeException e) {
                report.error(d.vf, d.display, e);
            }
        }
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

    private record Key(Tally.Volume vf, long id) {}

    private static Object key(Tally.Volume vf, long id) {
        return new Key(vf, id);
    }

    static int lastSlash(byte[] p) {
        for (int i = p.length - 1; i >= 0; i--) if (p[i] == '/') return i;
        return -1;
    }
}
