package io.vdetach.apply.offline;

import io.vdetach.apply.offline.ext4.Ext4Volume;
import io.vdetach.apply.offline.ext4.HostDamageException;
import io.vdetach.error.HostException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import io.vdetach.extent.RunTableLayer;
import io.vdetach.guestfs.ext.codec.Ext4DirEntry;
import io.vdetach.guestfs.ext.codec.Ext4Extent;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.image.FileResolver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of the unmounted ext4 host as an image chain sees them. A path under {@link #root()}
 * ("host.ext4:" then the path inside the filesystem: a relative path, which no absolute name in
 * an image can produce) is looked up in the host's directories and read from the device through
 * its extent map, with no mount and no loop device. An absolute path is a file of the running
 * system, on another filesystem than the host: its runs can only be copied. A relative name that
 * climbs above the host's root leads nowhere: where the host is normally mounted is unknown.
 * Symbolic links inside the host are not followed.
 */
final class HostFsFiles implements FileResolver {
    /** Path components followed at most (as {@link HostDirectories}). */
    private static final int MAX_DEPTH = 4096;

    private final Ext4Volume fs;
    private final Path root;
    private final HostFile device;
    private final long base;
    /** Every host file opened, by path: the files a detach may hand over or must leave. */
    private final Map<Path, HostFsFile> opened = new LinkedHashMap<>();

    /**
     * @param device the device as a host file; {@code base} is where the filesystem starts on it
     */
    HostFsFiles(Ext4Volume fs, String deviceName, HostFile device, long base) {
        this.fs = fs;
        this.root = Path.of(deviceName + ":");
        this.device = device;
        this.base = base;
    }

    /** The root of the host filesystem as a path: "host.ext4:". */
    Path root() { return root; }

    /** The path standing for {@code fsPath} (absolute or root-relative) inside the host. */
    Path pathOf(String fsPath) {
        Path p = root;
        for (String c : fsPath.split("/")) if (!c.isEmpty()) p = p.resolve(c);
        return p.normalize();
    }

    /** The host file opened at {@code p}, or null when {@code p} is not a file of the host that was opened. */
    HostFsFile opened(Path p) { return opened.get(p); }

    /** The path inside the host filesystem ("/vm/disk.qcow2"), or null for a path outside it. */
    private String fsPath(Path p) {
        if (p.isAbsolute() || !p.startsWith(root)) return null;
        StringBuilder b = new StringBuilder();
        for (Path c : root.relativize(p)) b.append('/').append(c);
        return b.isEmpty() ? "/" : b.toString();
    }

    /** What a path names in the host: its inode, or why it names no regular file. */
    private record Found(long ino, String why) {}

    private Found find(Path p) throws IOException {
        String path = fsPath(p);
        if (path == null) {
            return new Found(0, "leads out of the host filesystem on " + root + " (above its root; where the host is mounted is unknown)");
        }
        List<String> parts = Arrays.stream(path.split("/")).filter(c -> !c.isEmpty()).toList();
        if (parts.size() > MAX_DEPTH) return new Found(0, "a path deeper than " + MAX_DEPTH + " components");
        long cur = HostDirectories.ROOT_INO;
        for (int i = 0; i < parts.size(); i++) {
            long next = HostDirectories.lookup(fs, cur, parts.get(i).getBytes(StandardCharsets.UTF_8));
            if (next == 0) return new Found(0, MISSING);
            int type = fs.inode(next).fileType();
            if (type == Ext4Inode.S_IFLNK) {
                return new Found(0, "goes through a symbolic link inside the unmounted host (" + parts.get(i) + "; not followed offline)");
            }
            if (i < parts.size() - 1 && type != Ext4Inode.S_IFDIR) return new Found(0, MISSING);
            cur = next;
        }
        String why = switch (fs.inode(cur).fileType()) {
            case Ext4Inode.S_IFREG -> null;
            case Ext4Inode.S_IFDIR -> "not a regular file (a directory)";
            case Ext4Inode.S_IFIFO -> "not a regular file (a FIFO)";
            case Ext4Inode.S_IFCHR -> "not a regular file (a character device)";
            case Ext4Inode.S_IFBLK -> "not a regular file (a block device)";
            case Ext4Inode.S_IFSOCK -> "not a regular file (a socket)";
            default -> "not a regular file (type " + Integer.toOctalString(fs.inode(cur).fileType()) + ")";
        };
        return new Found(cur, why);
    }

    @Override
    public String notRegular(Path p) throws IOException {
        if (p.isAbsolute()) return LOCAL.notRegular(p);
        return find(p).why();
    }

    @Override
    public Path realPath(Path p) throws IOException {
        return p.isAbsolute() ? LOCAL.realPath(p) : p.normalize();
    }

    @Override
    public HostFile open(Path real) throws IOException {
        if (real.isAbsolute()) return LOCAL.open(real);
        HostFsFile known = opened.get(real);
        if (known != null) return known.file();
        Found f = find(real);
        if (f.why() != null) throw new HostException(real + ": " + (f.why().equals(MISSING) ? "no such file" : f.why()));
        HostFsFile file = read(real, fsPath(real), f.ino());
        opened.put(real, file);
        return file.file();
    }

    /** The file at inode {@code ino}, read through its extents; refused when they point at metadata or free space. */
    private HostFsFile read(Path path, String fsPath, long ino) throws IOException {
        Ext4Inode in = fs.inode(ino);
        if (!in.hasFlag(Ext4Inode.EXTENTS_FL) || in.hasFlag(Ext4Inode.INLINE_DATA_FL)) {
            throw new HostException(fsPath + " on " + fs.name() + " is block-mapped or inline (ext2/3 style); only extent-mapped files"
                    + " can be read offline");
        }
        List<Ext4Extent> ex = fs.extents(in).extents();
        for (Ext4Extent e : ex) {
            // ordinary allocated data only: a damaged host could point a file at its own tables
            if (fs.overlapsMetadata(e.physical(), e.length()) || !fs.allUsed(e.physical(), e.length())) {
                throw new HostDamageException(fs.name(), "extent tree of inode " + ino, fs.deviceOffset(in.offset()),
                        "the extent of " + fsPath + " at block " + e.physical() + " overlaps filesystem metadata or free space");
            }
        }
        RunTable.Builder table = RunTable.builder(in.size());
        long bs = fs.blockSize();
        for (Ext4Extent e : ex) {
            long from = e.logical() * bs;
            if (e.unwritten() || from >= in.size()) continue;
            long len = Math.min(e.length() * bs, in.size() - from);
            table.add(new Run.Mapped(from, len, device, base + e.physical() * bs));
        }
        HostFile file = HostFile.within(path, new RunTableLayer(table.build(), path.toString()));
        return new HostFsFile(fsPath, ino, in.linksCount(), ex, file);
    }

    @Override
    public List<Path> regularFiles(Path dir) throws IOException {
        if (dir.isAbsolute()) return LOCAL.regularFiles(dir);
        Found d = find(dir);
        if (d.ino() == 0 || fs.inode(d.ino()).fileType() != Ext4Inode.S_IFDIR) return List.of();
        List<Path> out = new ArrayList<>();
        for (HostDirectories.HostBlock h : HostDirectories.scanDir(fs, d.ino())) {
            for (Ext4DirEntry e : h.content().entries()) {
                if (e.inode() == 0 || e.isDot(1) || e.isDot(2)) continue;
                String name = new String(e.name(), StandardCharsets.UTF_8);
                // a name that is not UTF-8 cannot be named again by a path: it is not offered
                if (!Arrays.equals(name.getBytes(StandardCharsets.UTF_8), e.name()) || name.contains("/")) continue;
                if (fs.inode(e.inode()).fileType() == Ext4Inode.S_IFREG) out.add(dir.resolve(name));
            }
        }
        out.sort(null);
        return out;
    }
}
