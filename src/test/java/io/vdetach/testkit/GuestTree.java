package io.vdetach.testkit;

import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Walks a guest filesystem through vdetach's reader into the same path &rarr; facts form as
 * {@link HostTree}, so a reader can be compared with a kernel mount before anything is extracted.
 */
public final class GuestTree {
    private GuestTree() {}

    public static TreeMap<String, EntryFacts> walk(GuestFilesystem fs, String... skip) throws IOException {
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        Map<Long, List<String>> byId = new HashMap<>();
        Node root = fs.node(fs.rootId());
        out.put(".", facts(fs, root, ""));
        walkDir(fs, root, "", out, byId, new HashSet<>(), Set.of(skip));
        for (List<String> group : byId.values()) {
            if (group.size() < 2) continue;
            List<String> sorted = new ArrayList<>(group);
            sorted.sort(null);
            for (String p : group) {
                EntryFacts f = out.get(p);
                out.put(p, new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(),
                        f.mtimeSeconds(), f.mtimeNanos(), f.linkTarget(), f.rdev(), f.xattrs(), String.join("|", sorted)));
            }
        }
        return out;
    }

    private static void walkDir(GuestFilesystem fs, Node dir, String prefix, TreeMap<String, EntryFacts> out,
                                Map<Long, List<String>> byId, Set<Long> onPath, Set<String> skip) throws IOException {
        if (!onPath.add(dir.id())) throw new AssertionError("directory cycle at " + prefix);
        for (DirEntry e : fs.list(dir)) {
            String name = new String(e.name(), StandardCharsets.UTF_8);
            if (prefix.isEmpty() && skip.contains(name)) continue;
            String path = prefix.isEmpty() ? name : prefix + "/" + name;
            Node n = fs.node(e.id());
            out.put(path, facts(fs, n, path));
            if (n.isDirectory()) {
                walkDir(fs, n, path, out, byId, onPath, skip);
            } else if (n.nlink() > 1) {
                byId.computeIfAbsent(n.id(), k -> new ArrayList<>()).add(path);
            }
        }
        onPath.remove(dir.id());
    }

    private static EntryFacts facts(GuestFilesystem fs, Node n, String path) throws IOException {
        String type = switch (n.type()) {
            case FILE -> "file";
            case DIRECTORY -> "dir";
            case SYMLINK -> "symlink";
            case CHAR_DEVICE -> "chr";
            case BLOCK_DEVICE -> "blk";
            case FIFO -> "fifo";
            case SOCKET -> "sock";
        };
        String sha = "";
        if (type.equals("file")) sha = sha256(fs.content(n));
        String target = n.symlinkTarget() == null ? "" : new String(n.symlinkTarget(), StandardCharsets.UTF_8);
        long size = type.equals("file") || type.equals("symlink") ? n.size() : 0;
        long rdev = type.equals("chr") || type.equals("blk") ? makedev(n.rdevMajor(), n.rdevMinor()) : 0;
        TreeMap<String, String> x = new TreeMap<>();
        for (Xattr a : n.xattrs()) {
            if (a.name().equals("security.selinux")) continue;
            x.put(a.name(), HexFormat.of().formatHex(a.value()));
        }
        return new EntryFacts(type, size, sha, n.mode() & 07777, n.uid(), n.gid(),
                n.mtime().getEpochSecond(), n.mtime().getNano(), target, rdev, x, "");
    }

    /** glibc's makedev. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    public static String sha256(Layer content) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long pos = 0;
            while (pos < content.size()) {
                buf.clear();
                int n = content.read(pos, buf);
                if (n <= 0) throw new IOException("short read at " + pos + " of " + content.describe());
                buf.flip();
                md.update(buf);
                pos += n;
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
