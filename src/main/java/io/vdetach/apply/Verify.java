package io.vdetach.apply;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * verify: DEST against the image, entry by entry: type, size, content, mode, mtime, link target,
 * user xattrs. DEST's entries are opened beneath DEST, never following a symlink.
 */
public final class Verify implements TreeWalker.Visitor {
    /** @param volume DEST holds only this volume's files (as extract --volume wrote them); null: every volume */
    public record Request(ImageSource image, Path dest, String volume) {}

    public record Mismatch(String path, String what) {}

    public record Result(long checked, List<Mismatch> mismatches, double seconds) {
        public Result {
            mismatches = List.copyOf(mismatches);
        }
    }

    private final Fd destFd;
    private final GuestFilesystem fs;
    private final String volume;
    /** Where the volume's entries are beneath DEST: its name, or nothing under --volume. */
    private final byte[] prefix;
    private final List<Mismatch> mismatches;
    private long checked;

    private Verify(Fd destFd, GuestFilesystem fs, String volume, byte[] prefix, List<Mismatch> mismatches) {
        this.destFd = destFd;
        this.fs = fs;
        this.volume = volume;
        this.prefix = prefix;
        this.mismatches = mismatches;
    }

    public static Result run(Request r) throws IOException {
        long t0 = System.nanoTime();
        List<Mismatch> mismatches = new ArrayList<>();
        long checked = 0;
        try (Fd destFd = Linux.open(r.dest().toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
             OpenedImage img = r.image().openImage()) {
            for (OpenedImage.Slot s : Extractor.selected(img, r.volume())) {
                if (s.filesystem() == null) continue;
                String name = s.volume().name();
                Verify v = new Verify(destFd, s.filesystem(), name, r.volume() != null ? new byte[0]
                        : name.getBytes(StandardCharsets.UTF_8), mismatches);
                TreeWalker.walk(s.filesystem(), v);
                checked += v.checked;
            }
        }
        return new Result(checked, mismatches, (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public boolean enter(List<byte[]> path, Node dir) {
        entry(path, dir);
        return true;
    }

    @Override
    public void leave(List<byte[]> path, Node dir) { }

    @Override
    public void error(List<byte[]> path, String reason) {
        mismatch(path, "unreadable in the image: " + reason);
    }

    @Override
    public void entry(List<byte[]> path, Node n) {
        checked++;
        byte[] rel = hostPath(path);
        if (rel == null) {
            mismatch(path, "name cannot exist on the host (refused at extraction)");
            return;
        }
        if (rel.length == 0) return; // DEST itself
        try {
            Stat st = Linux.fstatat(destFd, rel, Linux.AT_SYMLINK_NOFOLLOW);
            int type = switch (n.type()) {
                case FILE -> 0100000;
                case DIRECTORY -> 0040000;
                case SYMLINK -> 0120000;
                case CHAR_DEVICE -> 0020000;
                case BLOCK_DEVICE -> 0060000;
                case FIFO -> 0010000;
                case SOCKET -> 0140000;
            };
            if ((st.mode() & 0170000) != type) {
                mismatch(path, "type differs");
                return;
            }
            if (n.type() != EntryType.SYMLINK && (st.mode() & 07777) != (n.mode() & 07777)) {
                mismatch(path, String.format("mode %04o, image says %04o", st.mode() & 07777, n.mode() & 07777));
            }
            if (n.type() == EntryType.SYMLINK) {
                int slash = Finisher.lastSlash(rel);
                Fd pfd = slash < 0 ? destFd : BeneathPath.open(destFd, Arrays.copyOf(rel, slash), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
                try {
                    byte[] target = Linux.readlinkat(pfd, Arrays.copyOfRange(rel, slash + 1, rel.length));
                    if (!Arrays.equals(target, n.symlinkTarget())) mismatch(path, "symlink target differs");
                } finally {
                    if (pfd != destFd) pfd.close();
                }
            }
            if (n.type() == EntryType.FILE && st.size() != n.size()) {
                mismatch(path, "size " + st.size() + ", image says " + n.size());
                return;
            }
            if (n.type() == EntryType.FILE) {
                try (Fd fd = BeneathPath.open(destFd, rel, Linux.O_RDONLY, 0)) {
                    String diff = compareContent(n, fd);
                    if (diff != null) mismatch(path, diff);
                    for (Xattr x : n.xattrs()) {
                        if (x.name().startsWith("user.") && !Arrays.equals(Linux.fgetxattr(fd, x.name()), x.value())) {
                            mismatch(path, "xattr " + x.name() + " differs");
                        }
                    }
                }
            }
            if (st.mtimeSeconds() != n.mtime().getEpochSecond() || st.mtimeNanos() != n.mtime().getNano()) {
                mismatch(path, "mtime " + Instant.ofEpochSecond(st.mtimeSeconds(), st.mtimeNanos()) + ", image says " + n.mtime());
            }
        } catch (SysException e) {
            mismatch(path, e.getMessage());
        } catch (IOException | RuntimeException e) {
            mismatch(path, "cannot compare: " + e.getMessage());
        }
    }

    private String compareContent(Node n, Fd fd) throws IOException {
        Layer content = fs.content(n);
        ByteBuffer a = ByteBuffer.allocate(1 << 20), b = ByteBuffer.allocate(1 << 20);
        for (long pos = 0, len; pos < n.size(); pos += len) {
            len = Math.min(a.capacity(), n.size() - pos);
            a.clear().limit((int) len);
            b.clear().limit((int) len);
            content.readFully(pos, a);
            while (b.hasRemaining()) {
                if (Linux.pread(fd, b, pos + b.position()) <= 0) return "DEST file is shorter than its size says";
            }
            if (!a.flip().equals(b.flip())) return "content differs in bytes " + pos + ".." + (pos + len);
        }
        return null;
    }

    /** Where extract put the entry: its sanitised names under the volume's directory; null when refused. */
    private byte[] hostPath(List<byte[]> path) {
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

    private void mismatch(List<byte[]> path, String what) {
        String p = TreeWalker.display(path);
        mismatches.add(new Mismatch(p.isEmpty() ? volume : volume + "/" + p, what));
    }
}
