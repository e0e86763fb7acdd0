package io.vdetach.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Walks a host directory (an oracle mount or an extraction) into path &rarr; facts. */
public final class HostTree {
    private HostTree() {}

    /**
     * @param skip top-level names to leave out (e.g. "lost+found")
     */
    public static TreeMap<String, EntryFacts> walk(Path root, String... skip) throws IOException {
        Map<String, Map<String, String>> xattrs = Xattrs.readTree(root);
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        Map<Long, List<String>> byInode = new HashMap<>();
        Map<String, Long> inodeOf = new HashMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root) && dir.getParent().equals(root) && List.of(skip).contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                record(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (file.getParent().equals(root) && List.of(skip).contains(file.getFileName().toString())) {
                    return FileVisitResult.CONTINUE;
                }
                record(file);
                return FileVisitResult.CONTINUE;
            }

            private void record(Path p) throws IOException {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty()) rel = ".";
                Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                String type = switch (mode & 0170000) {
                    case 0100000 -> "file";
                    case 0040000 -> "dir";
                    case 0120000 -> "symlink";
                    case 0020000 -> "chr";
                    case 0060000 -> "blk";
                    case 0010000 -> "fifo";
                    case 0140000 -> "sock";
                    default -> "?";
                };
                long size = type.equals("file") || type.equals("symlink") ? (Long) a.get("size") : 0;
                String sha = type.equals("file") ? sha256(p) : "";
                String target = type.equals("symlink") ? Files.readSymbolicLink(p).toString() : "";
                FileTime mt = (FileTime) a.get("lastModifiedTime");
                Instant2 t = Instant2.of(mt);
                long rdev = type.equals("chr") || type.equals("blk") ? (Long) a.get("rdev") : 0;
                int nlink = (Integer) a.get("nlink");
                if (!type.equals("dir") && nlink > 1) {
                    long ino = (Long) a.get("ino");
                    byInode.computeIfAbsent(ino, k -> new ArrayList<>()).add(rel);
                    inodeOf.put(rel, ino);
                }
                Map<String, String> x = xattrs.getOrDefault(p.toString(), Map.of());
                out.put(rel, new EntryFacts(type, size, sha, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                        t.seconds(), t.nanos(), target, rdev, new TreeMap<>(x), ""));
            }
        });
        for (var e : inodeOf.entrySet()) {
            List<String> group = byInode.get(e.getValue());
            if (group.size() < 2) continue;
            List<String> sorted = new ArrayList<>(group);
            sorted.sort(null);
            EntryFacts f = out.get(e.getKey());
            out.put(e.getKey(), new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(),
                    f.mtimeSeconds(), f.mtimeNanos(), f.linkTarget(), f.rdev(), f.xattrs(), String.join("|", sorted)));
        }
        return out;
    }

    record Instant2(long seconds, int nanos) {
        static Instant2 of(FileTime t) {
            java.time.Instant i = t.toInstant();
            return new Instant2(i.getEpochSecond(), i.getNano());
        }
    }

    /**
     * {@code tree} with absolute link targets that point below {@code mountPoint} made relative to
     * the volume's root (ntfs-3g writes them starting with its mount point; a guest reader does not).
     */
    public static TreeMap<String, EntryFacts> linksBelowMount(Map<String, EntryFacts> tree, String mountPoint) {
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        tree.forEach((k, f) -> {
            String target = f.linkTarget();
            long size = f.size();
            if (target.startsWith(mountPoint + "/")) {
                target = target.substring(mountPoint.length());
                size = target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            }
            out.put(k, new EntryFacts(f.type(), size, f.sha256(), f.mode(), f.uid(), f.gid(), f.mtimeSeconds(), f.mtimeNanos(),
                    target, f.rdev(), f.xattrs(), f.linkGroup()));
        });
        return out;
    }

    public static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
