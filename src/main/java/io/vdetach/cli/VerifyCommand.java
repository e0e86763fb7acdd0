package io.vdetach.cli;

import io.vdetach.json.Json;

import io.vdetach.extent.Layer;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.guestfs.Xattr;
import io.vdetach.plan.GuestName;
import io.vdetach.plan.OpenedImage;
import io.vdetach.sys.BeneathPath;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.Stat;
import io.vdetach.sys.SysException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = "Compare DEST with the image, entry by entry: type, size, content, mode, mtime, link target, user xattrs.")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "DEST") Path dest;
    @Mixin ImageOptions io = new ImageOptions();
    @Option(names = "--volume", paramLabel = "N|NAME", description = "DEST holds only this volume's files (as extract --volume wrote them).")
    String volume;

    private final List<Map<String, Object>> mismatches = new ArrayList<>();
    private long checked;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        try (Fd destFd = Linux.open(dest.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
             OpenedImage img = OpenedImage.open(image, io.openOptions(), io.mountOptions())) {
            for (OpenedImage.Slot s : img.slots()) {
                GuestFilesystem fs = s.filesystem();
                if (fs == null) continue;
                if (volume != null && img.slot(volume) != s) continue;
                byte[] prefix = volume != null ? new byte[0] : s.volume().name().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                verifyVolume(fs, s.volume().name(), prefix, destFd);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (io.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("entries_checked", checked);
            m.put("mismatches", mismatches);
            m.put("seconds", secs);
            System.out.println(Json.render(m));
        } else {
            for (Map<String, Object> mm : mismatches) System.out.println("MISMATCH " + LsCommand.escape(mm.get("path") + ": " + mm.get("what")));
            System.out.printf("verified %d entries in %.2f s: %s%n", checked, secs,
                    mismatches.isEmpty() ? "all equal" : mismatches.size() + " mismatches");
        }
        return mismatches.isEmpty() ? 0 : 1;
    }

    private void verifyVolume(GuestFilesystem fs, String vname, byte[] prefix, Fd destFd) throws IOException {
        TreeWalker.walk(fs, new TreeWalker.Visitor() {
            @Override
            public boolean enter(List<byte[]> path, Node dir) {
                check(fs, vname, prefix, path, dir, destFd);
                return true;
            }

            @Override
            public void leave(List<byte[]> path, Node dir) { }

            @Override
            public void entry(List<byte[]> path, Node node) {
                check(fs, vname, prefix, path, node, destFd);
            }

            @Override
            public void error(List<byte[]> path, String reason) {
                mismatch(vname, path, "unreadable in the image: " + reason);
            }
        });
    }

    private void check(GuestFilesystem fs, String vname, byte[] prefix, List<byte[]> path, Node n, Fd destFd) {
        checked++;
        byte[] rel = hostPath(prefix, path);
        if (rel == null) {
            mismatch(vname, path, "name cannot exist on the host (refused at extraction)");
            return;
        }
        try {
            if (rel.length == 0) return; // DEST itself
            Stat st = Linux.fstatat(destFd, rel, Linux.AT_SYMLINK_NOFOLLOW);
            int type = st.mode() & 0170000;
            int want = switch (n.type()) {
                case FILE -> 0100000;
                case DIRECTORY -> 0040000;
                case SYMLINK -> 0120000;
                case CHAR_DEVICE -> 0020000;
                case BLOCK_DEVICE -> 0060000;
                case FIFO -> 0010000;
                case SOCKET -> 0140000;
            };
            if (type != want) {
                mismatch(vname, path, "type differs");
                return;
            }
            if (n.type() != EntryType.SYMLINK && (st.mode() & 07777) != (n.mode() & 07777)) {
                mismatch(vname, path, String.format("mode %04o, image says %04o", st.mode() & 07777, n.mode() & 07777));
            }
            if (n.type() == EntryType.SYMLINK) {
                int slash = lastSlash(rel);
                Fd pfd = slash < 0 ? destFd : BeneathPath.open(destFd, Arrays.copyOf(rel, slash), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
                try {
                    byte[] target = Linux.readlinkat(pfd, Arrays.copyOfRange(rel, slash + 1, rel.length));
                    if (!Arrays.equals(target, n.symlinkTarget())) mismatch(vname, path, "symlink target differs");
                } finally {
                    if (pfd != destFd) pfd.close();
                }
            }
            if (n.type() == EntryType.FILE) {
                if (st.size() != n.size()) {
                    mismatch(vname, path, "size " + st.size() + ", image says " + n.size());
                    return;
                }
                try (Fd fd = BeneathPath.open(destFd, rel, Linux.O_RDONLY, 0)) {
                    String diff = compareContent(fs.content(n), fd, n.size());
                    if (diff != null) mismatch(vname, path, diff);
                    for (Xattr x : n.xattrs()) {
                        if (!x.name().startsWith("user.")) continue;
                        byte[] v = Linux.fgetxattr(fd, x.name());
                        if (!Arrays.equals(v, x.value())) mismatch(vname, path, "xattr " + x.name() + " differs");
                    }
                }
            }
            if (st.mtimeSeconds() != n.mtime().getEpochSecond() || st.mtimeNanos() != n.mtime().getNano()) {
                mismatch(vname, path, "mtime " + java.time.Instant.ofEpochSecond(st.mtimeSeconds(), st.mtimeNanos())
                        + ", image says " + n.mtime());
            }
        } catch (SysException e) {
            mismatch(vname, path, e.getMessage());
        } catch (IOException | RuntimeException e) {
            mismatch(vname, path, "cannot compare: " + e.getMessage());
        }
    }

    private static String compareContent(Layer content, Fd fd, long size) throws IOException {
        ByteBuffer a = ByteBuffer.allocate(1 << 20);
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        long pos = 0;
        while (pos < size) {
            int n = (int) Math.min(a.capacity(), size - pos);
            a.clear().limit(n);
            b.clear().limit(n);
            content.readFully(pos, a);
            int got = 0;
            while (got < n) {
                int r = Linux.pread(fd, b, pos + got);
                if (r <= 0) return "DEST file is shorter than its size says";
                got += r;
            }
            a.flip();
            b.flip();
            if (!a.equals(b)) return "content differs in bytes " + pos + ".." + (pos + n);
            pos += n;
        }
        return null;
    }

    private static byte[] hostPath(byte[] prefix, List<byte[]> path) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(prefix);
        for (byte[] c : path) {
            byte[] name = switch (GuestName.sanitize(c)) {
                case GuestName.Safe s -> s.name();
                case GuestName.Renamed r -> r.name();
                case GuestName.Refused r -> null;
            };
            if (name == null) return null;
            if (o.size() > 0) o.write('/');
            o.writeBytes(name);
        }
        return o.toByteArray();
    }

    private static int lastSlash(byte[] p) {
        for (int i = p.length - 1; i >= 0; i--) if (p[i] == '/') return i;
        return -1;
    }

    private void mismatch(String vname, List<byte[]> path, String what) {
        Map<String, Object> m = new LinkedHashMap<>();
        String p = TreeWalker.display(path);
        m.put("path", p.isEmpty() ? vname : vname + "/" + p);
        m.put("what", what);
        mismatches.add(m);
    }
}
