package io.vdetach.apply;

import io.vdetach.guestfs.Node;
import io.vdetach.sys.BeneathPath;
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
    private record Link(long id, byte[] dirPath, byte[] name, String display, Report.VolumeFigures vf) {}

    private record DirMeta(byte[] hostPath, Node node, String display, Report.VolumeFigures vf) {}

    /** Node id (per volume, so keyed with its figures) &rarr; host path of its first name. */
    private final Map<Object, byte[]> firstNames = new ConcurrentHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final List<DirMeta> dirs = new ArrayList<>();

    void firstName(Report.VolumeFigures vf, long id, byte[] hostPath) {
        firstNames.put(key(vf, id), hostPath);
    }

    void link(Report.VolumeFigures vf, long id, byte[] dirPath, byte[] name, String display) {
        links.add(new Link(id, dirPath, name, display, vf));
    }

    void directory(Report.VolumeFigures vf, byte[] hostPath, Node node, String display) {
        dirs.add(new DirMeta(hostPath, node, display, vf));
    }

    void finish(int destFd, HostTreeBuilder builder, MetadataWriter metadata, Report report) {
        for (Link l : links) {
            byte[] first = firstNames.get(key(l.vf, l.id));
            if (first == null) {
                report.error(l.vf, l.display, "hard link: its first name was not created");
                continue;
            }
            int slash = lastSlash(first);
            byte[] firstName = Arrays.copyOfRange(first, slash + 1, first.length);
            int from = -1, to = -1;
            try {
                from = slash < 0 ? destFd : BeneathPath.open(destFd, Arrays.copyOf(first, slash), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
                to = l.dirPath.length == 0 ? destFd : BeneathPath.open(destFd, l.dirPath, Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
                int f = from, t = to;
                if (builder.create(t, l.name, l.display, false, n -> Linux.linkat(f, firstName, t, n)) != null) {
                    synchronized (report) {
                        report.hardlinks++;
                    }
                }
            } catch (RuntimeException e) {
                report.error(l.vf, l.display, e.getMessage());
            } finally {
                if (from >= 0 && from != destFd) Linux.close(from);
                if (to >= 0 && to != destFd) Linux.close(to);
            }
        }
        for (DirMeta d : dirs) {
            int fd = -1;
            try {
                fd = d.hostPath.length == 0 ? destFd : BeneathPath.open(destFd, d.hostPath, Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
                for (String p : metadata.apply(fd, d.node)) report.error(d.vf, d.display, p);
            } catch (RuntimeException e) {
                report.error(d.vf, d.display, e.getMessage());
            } finally {
                if (fd >= 0 && fd != destFd) Linux.close(fd);
            }
        }
    }

    private record Key(Report.VolumeFigures vf, long id) {}

    private static Object key(Report.VolumeFigures vf, long id) {
        return new Key(vf, id);
    }

    static int lastSlash(byte[] p) {
        for (int i = p.length - 1; i >= 0; i--) if (p[i] == '/') return i;
        return -1;
    }
}
