package io.vdetach.nio;

import io.vdetach.testkit.EntryFacts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Walks a directory of the vdetach provider with nothing but java.nio.file ({@code Files.walkFileTree},
 * {@code Files.readAttributes} with the basic, posix and vdetach views, {@code Files.newInputStream},
 * {@code Files.readSymbolicLink}) into the path &rarr; facts form of {@link io.vdetach.testkit.HostTree},
 * so it compares with an extraction or an oracle mount entry by entry.
 */
final class ProviderTree {
    private ProviderTree() {}

    /** @param skip top-level names to leave out ("lost+found") */
    static TreeMap<String, EntryFacts> walk(Path root, String... skip) throws IOException {
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        Map<Object, List<String>> byKey = new HashMap<>();
        Map<String, Object> keyOf = new HashMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (skipped(dir)) return FileVisitResult.SKIP_SUBTREE;
                record(dir, attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!skipped(file)) record(file, attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                throw e;
            }

            private boolean skipped(Path p) {
                return !p.equals(root) && p.getParent().equals(root) && List.of(skip).contains(p.getFileName().toString());
            }

            private void record(Path p, BasicFileAttributes basic) throws IOException {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty()) rel = ".";
                EntryFacts f = facts(p, basic);
                out.put(rel, f);
                Map<String, Object> v = Files.readAttributes(p, "vdetach:nlink", LinkOption.NOFOLLOW_LINKS);
                if (!basic.isDirectory() && (Integer) v.get("nlink") > 1) {
                    byKey.computeIfAbsent(basic.fileKey(), k -> new ArrayList<>()).add(rel);
                    keyOf.put(rel, basic.fileKey());
                }
            }
        });
        for (var e : keyOf.entrySet()) {
            List<String> group = byKey.get(e.getValue());
            if (group.size() < 2) continue;
            List<String> sorted = new ArrayList<>(group);
            sorted.sort(null);
            EntryFacts f = out.get(e.getKey());
            out.put(e.getKey(), new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(), f.mtimeSeconds(),
                    f.mtimeNanos(), f.linkTarget(), f.rdev(), f.xattrs(), String.join("|", sorted)));
        }
        return out;
    }

    /** One entry's facts through the provider (a named stream "file:stream" too). */
    static EntryFacts facts(Path p, BasicFileAttributes basic) throws IOException {
        Map<String, Object> v = Files.readAttributes(p, "vdetach:*", LinkOption.NOFOLLOW_LINKS);
        String type = switch ((String) v.get("type")) {
            case "file" -> "file";
            case "directory" -> "dir";
            case "symlink" -> "symlink";
            case "char_device" -> "chr";
            case "block_device" -> "blk";
            case "fifo" -> "fifo";
            case "socket" -> "sock";
            default -> "?";
        };
        if (basic.isRegularFile() != type.equals("file") || basic.isDirectory() != type.equals("dir")
                || basic.isSymbolicLink() != type.equals("symlink")) {
            throw new AssertionError(p + ": basic attributes disagree with vdetach:type " + type);
        }
        long size = type.equals("file") || type.equals("symlink") ? basic.size() : 0;
        String sha = type.equals("file") ? sha256(p) : "";
        String target = type.equals("symlink") ? Files.readSymbolicLink(p).toString() : "";
        java.time.Instant mtime = basic.lastModifiedTime().toInstant();
        long rdev = type.equals("chr") || type.equals("blk") ? makedev((Long) v.get("deviceMajor"), (Long) v.get("deviceMinor")) : 0;
        TreeMap<String, String> x = new TreeMap<>();
        @SuppressWarnings("unchecked")
        Map<String, byte[]> xattrs = (Map<String, byte[]>) v.get("xattrs");
        xattrs.forEach((k, val) -> {
            if (!k.equals("security.selinux")) x.put(k, HexFormat.of().formatHex(val));
        });
        return new EntryFacts(type, size, sha, (Integer) v.get("mode") & 07777, (Long) v.get("uid"), (Long) v.get("gid"),
                mtime.getEpochSecond(), mtime.getNano(), target, rdev, x, "");
    }

    /** glibc's makedev. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    static String sha256(Path p) throws IOException {
        return io.vdetach.testkit.HostTree.sha256(p); // any java.nio Path, the provider's too
    }
}
