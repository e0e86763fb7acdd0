package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.VdetachException;
import io.vdetach.evidence.EntryRecord;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.plan.Classifier;
import io.vdetach.plan.Glob;
import io.vdetach.plan.GuestName;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import io.vdetach.plan.Totals;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.SysException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The walk over one volume (the walker thread): reads the guest, plans each file, creates
 * directories, symlinks and special files itself, and hands files to the writer threads.
 */
final class VolumeExtraction implements TreeWalker.Visitor {

    /** Shared by every volume of one extraction. */
    record Context(Fd destFd, ExtractOptions options, Tally report, Classifier classifier, MetadataWriter metadata,
                   Totals totals, boolean destIsBtrfs, HostTreeBuilder builder, Workers workers, Finisher finisher,
                   EvidenceTrail trail, ShareHashes shareHashes) {
        /** Without evidence outputs. */
        Context(Fd destFd, ExtractOptions options, Tally report, Classifier classifier, MetadataWriter metadata,
                Totals totals, boolean destIsBtrfs, HostTreeBuilder builder, Workers workers, Finisher finisher) {
            this(destFd, options, report, classifier, metadata, totals, destIsBtrfs, builder, workers, finisher,
                    EvidenceTrail.OFF, null);
        }
    }

    private final Context c;
    private final GuestFilesystem fs;
    private final String volumeName;
    private final boolean intoDest;
    private final Tally.Volume vf;
    private final Glob include;
    private final Glob exclude;
    private final ArrayDeque<Dir> dirs = new ArrayDeque<>();
    private final Set<Long> linkedSeen = new HashSet<>();
    private final EvidenceTrail.Scope scope;
    /** The evidence of the entry being visited (walker thread), settled if the visit fails. */
    private PendingEntry current;

    /** A guest directory on the walk's stack and its host counterpart (null until created). */
    private static final class Dir {
        final Node node;
        final List<byte[]> path;
        final byte[] guestName;
        final String display;
        final boolean included;
        DirHandle handle;
        boolean failed;

        Dir(Node node, List<byte[]> path, String display, boolean included) {
            this.node = node;
            this.path = path;
            this.guestName = path.isEmpty() ? null : path.getLast();
            this.display = display;
            this.included = included;
        }
    }

    /** Takes planned files instead of the writer threads (detach --streaming writes their content later). */
    interface DeferredFiles {
        void file(Tally.Volume vf, DirHandle dir, byte[] name, String display, Node node, List<PlannedRun> runs,
                  Layer data, long size, PendingEntry evidence) throws IOException;
    }

    private DeferredFiles deferred;

    /** Files go to {@code sink} once planned; directories, symlinks and special files are still made here. */
    VolumeExtraction deferFilesTo(DeferredFiles sink) {
        this.deferred = sink;
        return this;
    }

    VolumeExtraction(Context c, GuestFilesystem fs, String volumeName, boolean intoDest, Tally.Volume vf) {
        this.c = c;
        this.fs = fs;
        this.volumeName = volumeName;
        this.intoDest = intoDest;
        this.vf = vf;
        this.include = new Glob(c.options().include());
        this.exclude = new Glob(c.options().exclude());
        this.scope = new EvidenceTrail.Scope(volumeName, fs);
    }

    private boolean dryRun() {
        return c.options().dryRun();
    }

    private String display(List<byte[]> path) {
        String p = TreeWalker.display(path);
        return p.isEmpty() ? volumeName : volumeName + "/" + p;
    }

    @Override
    public boolean enter(List<byte[]> path, Node dir) {
        String d = display(path);
        if (!path.isEmpty() && exclude.matchesSelfOrAncestor(d)) return false;
        Dir parent = dirs.peek();
        if (parent != null && parent.failed) return false;
        boolean included = include.isEmpty() || include.matchesSelfOrAncestor(d);
        dirs.push(new Dir(dir, path, d, included));
        if (included) {
            try {
                ensureCreated();
            } catch (EntryFailure | SysException e) {
                c.report().error(vf, d, e);
                c.trail().failed(scope, path, dir, Tally.message(e), Tally.kindOf(e));
                dirs.peek().failed = true;
            }
        }
        return true;
    }

    /** After a walk that stopped on a failure: lets go of the directories still open on the stack. */
    void releaseOpenDirectories() {
        while (!dirs.isEmpty()) {
            Dir d = dirs.pop();
            if (d.handle != null) d.handle.release();
        }
    }

    @Override
    public void leave(List<byte[]> path, Node dir) {
        Dir d = dirs.pop();
        if (d.handle != null) d.handle.release();
    }

    @Override
    public void error(List<byte[]> path, String reason) {
        // The walker could not read this part of the guest (it passes the reason only).
        c.report().error(vf, display(path), reason, ErrorKind.CORRUPT);
        c.trail().failed(scope, path, null, reason, ErrorKind.CORRUPT);
    }

    @Override
    public void entry(List<byte[]> path, Node node) {
        String d = display(path);
        if (exclude.matchesSelfOrAncestor(d) || !(include.isEmpty() || include.matchesSelfOrAncestor(d))) return;
        Dir parent = dirs.peek();
        if (parent == null || parent.failed) return;
        current = null;
        try {
            ensureCreated();
            byte[] name = hostName(path.getLast(), d);
            if (node.nlink() > 1 && !linkedSeen.add(node.id())) {
                current = c.trail().laterName(scope, path, node);
                if (!dryRun()) c.finisher().link(vf, node.id(), parent.handle.hostPath, name, d, current);
                else c.report().hardlink(vf);
                return;
            }
            switch (node.type()) {
                case FILE -> file(parent.handle, name, d, node, path);
                case SYMLINK -> symlink(parent.handle, name, d, node, path);
                case FIFO, SOCKET, CHAR_DEVICE, BLOCK_DEVICE -> special(parent.handle, name, d, node, path);
                case DIRECTORY -> throw new IllegalStateException("directories are entered, not created here");
            }
        } catch (EntryFailure | VdetachException | IOException e) {
            if (Abort.isFatal(e)) throw (RuntimeException) e;
            c.report().error(vf, d, e);
            if (current != null) current.fail(e);
            else c.trail().failed(scope, path, node, Tally.message(e), Tally.kindOf(e));
        } finally {
            if (current != null) current.walked();
        }
        c.report().progress(c.options().progress());
    }

    /** Creates the directories on the stack that do not exist on the host yet, outermost first. */
    private void ensureCreated() {
        Iterator<Dir> it = dirs.descendingIterator();
        Dir parent = null;
        while (it.hasNext()) {
            Dir d = it.next();
            if (d.handle == null) {
                d.handle = dryRun() ? new DirHandle(null, new byte[0], false)
                        : parent == null ? openVolumeRoot() : makeDirectory(parent.handle, d);
                if (!dryRun()) {
                    c.finisher().directory(vf, d.handle.hostPath, d.node, d.display);
                    directoryEvidence(d);
                }
                if (parent != null) c.report().directory(vf);
            }
            parent = d;
        }
    }

    /** A created directory's line: nothing more will come for it. */
    private void directoryEvidence(Dir d) {
        if (!c.trail().on()) return;
        try {
            PendingEntry e = c.trail().entry(scope, d.path, d.node);
            e.created(d.handle.hostPath);
            c.trail().smallStreams(e, fs, d.node, List.of()); // a directory's named streams (NTFS), listed and hashed
            e.done();
            e.walked();
        } catch (IOException e) {
            c.trail().failed(scope, d.path, d.node, Tally.message(e), Tally.kindOf(e));
        }
    }

    private DirHandle openVolumeRoot() {
        if (intoDest) return new DirHandle(c.destFd(), new byte[0], false);
        byte[] name = volumeName.getBytes(StandardCharsets.UTF_8);
        Fd destFd = c.destFd();
        byte[] used = c.builder().create(destFd, name, volumeName, true, n -> Linux.mkdirat(destFd, n, 0700));
        if (used == null) throw new EntryFailure(ErrorKind.HOST, "volume directory skipped (--on-conflict skip)");
        return new DirHandle(Linux.openat(destFd, used, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0), used, true);
    }

    private DirHandle makeDirectory(DirHandle parent, Dir d) {
        byte[] name = hostName(d.guestName, d.display);
        byte[] used = c.builder().create(parent.fd, name, d.display, true, n -> Linux.mkdirat(parent.fd, n, 0700));
        if (used == null) throw new EntryFailure(ErrorKind.HOST, "skipped (--on-conflict skip)");
        Fd fd = Linux.openat(parent.fd, used, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0);
        return new DirHandle(fd, join(parent.hostPath, used), true);
    }

    private byte[] hostName(byte[] guest, String display) {
        return switch (GuestName.sanitize(guest)) {
            case GuestName.Safe s -> s.name();
            case GuestName.Renamed rn -> {
                c.report().conflict(display, "renamed: " + rn.reason(), new String(rn.name(), StandardCharsets.UTF_8));
                yield rn.name();
            }
            case GuestName.Refused rf -> throw new EntryFailure(ErrorKind.CORRUPT, rf.reason());
        };
    }

    private void symlink(DirHandle dir, byte[] name, String display, Node node, List<byte[]> path) throws IOException {
        current = c.trail().entry(scope, path, node);
        byte[] target = node.symlinkTarget();
        for (byte b : target) if (b == 0) throw new EntryFailure(ErrorKind.CORRUPT, "symlink target holds a NUL byte");
        if (!dryRun()) {
            byte[] used = c.builder().create(dir.fd, name, display, false, n -> Linux.symlinkat(target, dir.fd, n));
            if (used == null) {
                current.skip(SKIPPED);
                return;
            }
            current.created(join(dir.hostPath, used));
            c.metadata().applyAt(dir.fd, used, node).forEach(p -> c.report().error(vf, display, p, ErrorKind.HOST));
            if (node.nlink() > 1) c.finisher().firstName(vf, node.id(), join(dir.hostPath, used));
        }
        current.done();
        c.report().symlink(vf);
    }

    private void special(DirHandle dir, byte[] name, String display, Node node, List<byte[]> path) throws IOException {
        current = c.trail().entry(scope, path, node);
        if (!dryRun()) {
            int type = switch (node.type()) {
                case FIFO -> Linux.S_IFIFO;
                case SOCKET -> Linux.S_IFSOCK;
                case CHAR_DEVICE -> Linux.S_IFCHR;
                default -> Linux.S_IFBLK;
            };
            boolean device = type == Linux.S_IFCHR || type == Linux.S_IFBLK;
            if (device && Linux.geteuid() != 0) throw new EntryFailure(ErrorKind.HOST, "device node not created: needs root");
            long dev = makedev(node.rdevMajor(), node.rdevMinor());
            byte[] used = c.builder().create(dir.fd, name, display, false, n -> Linux.mknodat(dir.fd, n, type | 0600, dev));
            if (used == null) {
                current.skip(SKIPPED);
                return;
            }
            current.created(join(dir.hostPath, used));
            c.metadata().applyAt(dir.fd, used, node).forEach(p -> c.report().error(vf, display, p, ErrorKind.HOST));
            if (node.nlink() > 1) c.finisher().firstName(vf, node.id(), join(dir.hostPath, used));
        }
        current.done();
        c.report().special(vf);
    }

    private void file(DirHandle dir, byte[] name, String display, Node node, List<byte[]> path) throws IOException {
        Layer content = fs.content(node);
        List<PlannedRun> runs = plan(content, node.size());
        current = c.trail().file(scope, path, node, content, EvidenceTrail.dataOf(runs));
        file(dir, name, display, node, content, runs, current);
        List<NamedStream> large = fs.largeStreams(node);
        c.trail().smallStreams(current, fs, node, large);
        for (NamedStream st : large) {
            // Too large for an xattr: "<file>:<stream>" beside the file, with the file's metadata.
            byte[] streamName = new byte[name.length + 1 + st.name().length];
            System.arraycopy(name, 0, streamName, 0, name.length);
            streamName[name.length] = ':';
            System.arraycopy(st.name(), 0, streamName, name.length + 1, st.name().length);
            String sd = display + ":" + new String(st.name(), StandardCharsets.UTF_8);
            byte[] host = hostName(streamName, sd);
            Node asFile = new Node(node.id(), node.type(), node.mode(), node.uid(), node.gid(), st.content().size(), 1,
                    node.mtime(), node.atime(), node.ctime(), node.btime(), null, 0, 0, List.of(), List.of(), node.fileAttributes());
            c.report().warn(sd + ": alternate data stream larger than a host xattr, written as the file " + new String(host, StandardCharsets.UTF_8));
            List<PlannedRun> streamRuns = plan(st.content(), asFile.size());
            PendingEntry stream = current.streamFile(st.name(), asFile, st.content(), EvidenceTrail.dataOf(streamRuns));
            try {
                file(dir, host, sd, asFile, st.content(), streamRuns, stream);
            } catch (IOException | RuntimeException e) {
                stream.fail(e);
                throw e;
            } finally {
                stream.walked();
            }
        }
    }

    private List<PlannedRun> plan(Layer data, long size) throws IOException {
        return c.classifier().classify(ExtentMaps.toHostFiles(data, 0, size), size);
    }

    private void file(DirHandle dir, byte[] name, String display, Node node, Layer data, List<PlannedRun> runs,
                      PendingEntry evidence) throws IOException {
        long size = node.size();
        synchronized (c.totals()) {
            for (PlannedRun r : runs) c.totals().add(r);
        }
        if (dryRun()) {
            c.report().plannedFile(vf, size, runs, true);
            return;
        }
        if (deferred != null) {
            deferred.file(vf, dir, name, display, node, runs, data, size, evidence);
            return;
        }
        boolean decodes = runs.stream().anyMatch(r -> r.kind() == RunClass.MATERIALISE);
        prefetchCopies(runs);
        if (c.shareHashes() != null && evidence.hasher() != null) c.shareHashes().add(evidence.hasher(), runs);
        DirHandle held = dir.retain();
        Runnable task = () -> {
            try {
                writeFile(held, name, display, node, runs, data, size, evidence);
            } catch (EntryFailure | VdetachException | IOException e) {
                if (Abort.isFatal(e)) c.workers().fail((RuntimeException) e);
                else {
                    c.report().error(vf, display, e);
                    evidence.fail(e);
                }
            } catch (RuntimeException e) {
                c.report().error(vf, display, "unexpected " + e, ErrorKind.INTERNAL);
                evidence.fail("unexpected " + e, ErrorKind.INTERNAL);
            } finally {
                held.release();
            }
        };
        // Guest layers' decoders are read by the walker only: files with runs to decode are written here.
        if (decodes) {
            task.run();
            c.workers().submit(() -> { }); // surfaces a fatal failure of this task at once
        }
        else c.workers().submit(task);
    }

    /**
     * Starts reading the bytes a writer thread will copy (mostly the tails of shared files):
     * the reads are then in flight together instead of one at a time per writer.
     */
    private void prefetchCopies(List<PlannedRun> runs) {
        for (PlannedRun r : runs) {
            if (r.kind() != RunClass.COPY) continue;
            try {
                Linux.fadvise(c.workers().writer().sources().fd(r.source()), r.sourceOffset(), r.length(), Linux.POSIX_FADV_WILLNEED);
            } catch (RuntimeException e) {
                return; // advice only
            }
        }
    }

    private void writeFile(DirHandle dir, byte[] name, String display, Node node, List<PlannedRun> runs, Layer data,
                           long size, PendingEntry evidence) throws IOException {
        HostTreeBuilder.Created<Fd> created = c.builder().createWith(dir.fd, name, display, false, newFileIn(dir.fd));
        if (created == null) {
            evidence.skip(SKIPPED);
            return;
        }
        byte[] used = created.name();
        evidence.created(join(dir.hostPath, used));
        try (Fd fd = created.made()) {
            ContentWriter.Written w = c.workers().writer().write(fd, runs, data, size, c.destIsBtrfs(), evidence.hasher());
            c.report().file(vf, size, w.shared(), w.copied(), w.materialised(), w.sparse());
            if (w.fallback() != null) c.report().warn(w.fallback());
            c.metadata().apply(fd, node).forEach(p -> c.report().error(vf, display, p, ErrorKind.HOST));
            evidence.done(new EntryRecord.Extraction(w.shared(), w.copied(), w.materialised()));
        }
        if (node.nlink() > 1) c.finisher().firstName(vf, node.id(), join(dir.hostPath, used));
        for (String note : node.notes()) c.report().warn(display + ": " + note);
    }

    /** Why an entry has no line of its own in DEST. */
    static final String SKIPPED = "exists in DEST (--on-conflict skip)";

    /** Creates a new, empty regular file in {@code dir}, never following a symlink; EEXIST when the name is taken. */
    static HostTreeBuilder.Creator<Fd> newFileIn(Fd dir) {
        return n -> Linux.openat(dir, n, Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL | Linux.O_NOFOLLOW, 0600);
    }

    static byte[] join(byte[] parent, byte[] name) {
        if (parent == null || parent.length == 0) return name;
        byte[] out = new byte[parent.length + 1 + name.length];
        System.arraycopy(parent, 0, out, 0, parent.length);
        out[parent.length] = '/';
        System.arraycopy(name, 0, out, parent.length + 1, name.length);
        return out;
    }

    /** glibc's makedev. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }
}
