package io.vdetach.apply;

import io.vdetach.extent.Layer;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.LiveAndRecovered;
import io.vdetach.guestfs.RecoveredTree;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.plan.DirectoryNames;
import io.vdetach.plan.GuestName;
import io.vdetach.plan.OpenedImage;
import io.vdetach.sys.Errno;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.Stat;
import io.vdetach.sys.SysException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * verify: DEST against the image, entry by entry: type, size, content, mode, mtime, link target,
 * user xattrs, and no entry in DEST that the image does not have. Each entry's host name is found
 * as extraction made it: made safe, then made unique in its directory by the same
 * {@link DirectoryNames} (a guest's second "esc" is "esc (1)"). DEST is read one directory at a
 * time, each opened from its parent's descriptor by one name with O_NOFOLLOW: a symlink that
 * extraction wrote is never followed out of DEST. The walk and every check of names, types, modes
 * and extra entries run on one thread in walk order; a regular file's content, xattrs and mtime are
 * compared on {@link ContentChecks}' threads (the walker opens the file first, from its directory's
 * descriptor), and {@link MismatchLog} puts their mismatches back in walk order.
 */
public final class Verify implements TreeWalker.Visitor {
    /**
     * @param volume DEST holds only this volume's files (as extract --volume wrote them); null: every volume
     * @param deleted DEST holds the recovered entries too (as extract --deleted wrote them)
     */
    public record Request(ImageSource image, Path dest, String volume, boolean deleted) {
        public Request(ImageSource image, Path dest, String volume) {
            this(image, dest, volume, false);
        }
    }

    public record Mismatch(String path, String what) {}

    public record Result(long checked, List<Mismatch> mismatches, double seconds) {
        public Result {
            mismatches = List.copyOf(mismatches);
        }
    }

    /** A directory being compared: its descriptor in DEST and the host names its entries got so far. */
    private record Frame(Fd fd, boolean owned, DirectoryNames names) {}

    private final Fd destFd;
    private final GuestFilesystem fs;
    private final String volume;
    /** The volume's directory in DEST: its name, or nothing under --volume (DEST itself). */
    private final byte[] prefix;
    private final MismatchLog mismatches;
    private final ContentChecks checks;
    private final Deque<Frame> dirs = new ArrayDeque<>();
    private long checked;

    private Verify(Fd destFd, GuestFilesystem fs, String volume, byte[] prefix, MismatchLog mismatches, ContentChecks checks) {
        this.destFd = destFd;
        this.fs = fs;
        this.volume = volume;
        this.prefix = prefix;
        this.mismatches = mismatches;
        this.checks = checks;
    }

    public static Result run(Request r) throws IOException {
        return run(r, ContentChecks.THREADS);
    }

    /** @param threads content comparisons on this many threads; 0: on the walker's (the order of the result is the same) */
    static Result run(Request r, int threads) throws IOException {
        long t0 = System.nanoTime();
        MismatchLog mismatches = new MismatchLog();
        long checked = 0;
        try (Fd destFd = Linux.open(r.dest().toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
             OpenedImage img = r.image().openImage();
             ContentChecks checks = new ContentChecks(threads)) {
            for (OpenedImage.Slot s : Extractor.selected(img, r.volume())) {
                if (s.filesystem() == null) continue;
                String name = s.volume().name();
                GuestFilesystem fs = r.deleted() ? new LiveAndRecovered(s.filesystem(), RecoveredTree.of(s.filesystem()))
                        : s.filesystem();
                Verify v = new Verify(destFd, fs, name, r.volume() != null ? new byte[0]
                        : name.getBytes(StandardCharsets.UTF_8), mismatches, checks);
                try {
                    TreeWalker.walk(fs, v);
                    checks.drain();
                } catch (OutOfMemoryError | StackOverflowError e) {
                    throw Phase.named("while verifying volume " + name + " (" + s.filesystem().type() + ")", e);
                } finally {
                    v.closeAll();
                }
                checked += v.checked;
            }
        }
        return new Result(checked, mismatches.inOrder(), (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public boolean enter(List<byte[]> path, Node dir) {
        checked++;
        if (path.isEmpty()) {
            if (prefix.length == 0) {
                dirs.push(new Frame(destFd, false, new DirectoryNames()));
                return true;
            }
            if (!compare(path, dir, destFd, prefix)) return false;
            return open(path, destFd, prefix);
        }
        Frame parent = dirs.peek();
        byte[] name = claim(parent, path.getLast());
        if (name == null) {
            mismatch(path, "name cannot exist on the host (refused at extraction)");
            return false;
        }
        return compare(path, dir, parent.fd, name) && open(path, parent.fd, name);
    }

    /** Opens the directory {@code name} of {@code parent} (one name, no symlink followed) for its entries. */
    private boolean open(List<byte[]> path, Fd parent, byte[] name) {
        try {
            dirs.push(new Frame(Linux.openat(parent, name, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0), true,
                    new DirectoryNames()));
            return true;
        } catch (SysException e) {
            mismatch(path, "cannot open the directory in DEST: " + e.getMessage());
            return false;
        }
    }

    /** Every name in the directory that no guest entry got is an extra; then the directory is closed. */
    @Override
    public void leave(List<byte[]> path, Node dir) {
        Frame f = dirs.pop();
        try {
            Linux.forEachName(f.fd, n -> {
                if (f.names.contains(n)) return;
                List<byte[]> extra = new ArrayList<>(path);
                extra.add(n);
                mismatch(extra, "in DEST but not in the image");
            });
        } catch (SysException e) {
            mismatch(path, "cannot list the directory in DEST: " + e.getMessage());
        } finally {
            if (f.owned) f.fd.close();
        }
    }

    private void closeAll() {
        while (!dirs.isEmpty()) {
            Frame f = dirs.pop();
            if (f.owned) f.fd.close();
        }
    }

    @Override
    public void error(List<byte[]> path, String reason) {
        mismatch(path, "unreadable in the image: " + reason);
    }

    @Override
    public void entry(List<byte[]> path, Node n) {
        checked++;
        Frame parent = dirs.peek();
        if (parent == null) return;
        byte[] name = claim(parent, path.getLast());
        if (name == null) {
            mismatch(path, "name cannot exist on the host (refused at extraction)");
            return;
        }
        compare(path, n, parent.fd, name);
        if (n.type() != EntryType.FILE) return;
        try {
            for (NamedStream st : fs.largeStreams(n)) {
                // written beside the file as "<file>:<stream>" (see VolumeExtraction)
                byte[] guest = new byte[path.getLast().length + 1 + st.name().length];
                System.arraycopy(path.getLast(), 0, guest, 0, path.getLast().length);
                guest[path.getLast().length] = ':';
                System.arraycopy(st.name(), 0, guest, path.getLast().length + 1, st.name().length);
                List<byte[]> streamPath = new ArrayList<>(path);
                streamPath.set(streamPath.size() - 1, guest);
                byte[] host = claim(parent, guest);
                if (host == null) continue;
                Node asFile = new Node(n.id(), n.type(), n.mode(), n.uid(), n.gid(), st.content().size(), 1, n.mtime(), n.atime(),
                        n.ctime(), n.btime(), null, 0, 0, List.of(), List.of());
                compare(streamPath, asFile, st.content(), parent.fd, host);
            }
        } catch (IOException | RuntimeException e) {
            mismatch(path, "cannot compare its large streams: " + e.getMessage());
        }
    }

    /** The host name extraction gave the guest name {@code guest} in this directory; null when it refused it. */
    private static byte[] claim(Frame dir, byte[] guest) {
        byte[] safe = switch (GuestName.sanitize(guest)) {
            case GuestName.Safe s -> s.name();
            case GuestName.Renamed r -> r.name();
            case GuestName.Refused r -> null;
        };
        return safe == null ? null : dir.names.claim(safe);
    }

    private boolean compare(List<byte[]> path, Node n, Fd dir, byte[] name) {
        try {
            return compare(path, n, n.type() == EntryType.FILE ? fs.content(n) : null, dir, name);
        } catch (IOException | RuntimeException e) {
            mismatch(path, "cannot compare: " + e.getMessage());
            return false;
        }
    }

    /** Compares one entry, {@code name} in {@code dir}; false when it is not there as the right type. */
    private boolean compare(List<byte[]> path, Node n, Layer content, Fd dir, byte[] name) {
        try {
            Stat st;
            try {
                st = Linux.fstatat(dir, name, Linux.AT_SYMLINK_NOFOLLOW);
            } catch (SysException e) {
                if (!e.is(Errno.ENOENT)) throw e;
                mismatch(path, "missing in DEST");
                return false;
            }
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
                return false;
            }
            if (n.type() != EntryType.SYMLINK && (st.mode() & 07777) != (n.mode() & 07777)) {
                mismatch(path, String.format("mode %04o, image says %04o", st.mode() & 07777, n.mode() & 07777));
            }
            if (n.type() == EntryType.SYMLINK && !Arrays.equals(Linux.readlinkat(dir, name), n.symlinkTarget())) {
                mismatch(path, "symlink target differs");
            }
            if (n.type() == EntryType.FILE && st.size() != n.size()) {
                mismatch(path, "size " + st.size() + ", image says " + n.size());
                return true;
            }
            if (n.type() == EntryType.FILE) {
                // opened here, while its directory's descriptor is open; content, xattrs and mtime on a reader thread
                FileCheck check = new FileCheck(mismatches, mismatches.slot(), new EntryPath(volume, path), n, content,
                        Linux.openat(dir, name, Linux.O_RDONLY | Linux.O_NOFOLLOW, 0), st);
                if (n.size() == 0) checks.runHere(check);
                else checks.submit(check);
                return true;
            }
            if (st.mtimeSeconds() != n.mtime().getEpochSecond() || st.mtimeNanos() != n.mtime().getNano()) {
                mismatch(path, FileCheck.mtimeDiffers(st, n));
            }
        } catch (SysException e) {
            mismatch(path, e.getMessage());
        } catch (RuntimeException e) {
            mismatch(path, "cannot compare: " + e.getMessage());
        }
        return true;
    }

    private void mismatch(List<byte[]> path, String what) {
        mismatches.add(mismatches.slot(), new EntryPath(volume, path), what);
    }
}
