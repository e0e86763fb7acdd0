package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.VdetachException;
import io.vdetach.evidence.EntryRecord;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.RecoveredTree;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.plan.Classifier;
import io.vdetach.plan.DirectoryNames;
import io.vdetach.plan.Glob;
import io.vdetach.plan.GuestName;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import io.vdetach.plan.Totals;
import io.vdetach.sys.Errno;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.SysException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
    private final boolean filtered;
    private final ArrayDeque<Dir> dirs = new ArrayDeque<>();
    private final Set<Long> linkedSeen = new HashSet<>();
    /** Bytes of file data planned from this volume, and the most it may give (--max-output). */
    private long output;
    private final long maxOutput;
    private boolean capped;
    private final EvidenceTrail.Scope scope;
    /** The evidence of the entry being visited (walker thread), settled if the visit fails. */
    private PendingEntry current;

    /**
     * A guest directory on the walk's stack and its host counterpart (null until created). It
     * holds the walker's path (not a copy) and the names its entries got so far; all of it goes
     * when the directory is left.
     */
    private static final class Dir {
        final Node node;
        final List<byte[]> path;
        /** Its host name in the parent; null for the volume's root. */
        final byte[] hostName;
        /** Why it cannot be created (a name such as ".."); null when it can. */
        final EntryFailure refused;
        final boolean included;
        final DirectoryNames names = new DirectoryNames();
        DirHandle handle;
        boolean failed;

        Dir(Node node, List<byte[]> path, byte[] hostName, EntryFailure refused, boolean included) {
            this.node = node;
            this.path = path;
            this.hostName = hostName;
            this.refused = refused;
            this.included = included;
        }
    }

    /** Takes planned files instead of the writer threads (detach --streaming writes their content later). */
    interface DeferredFiles {
        void file(Tally.Volume vf, DirHandle dir, byte[] name, EntryPath display, Node node, List<PlannedRun> runs,
                  Layer data, long size, PendingEntry evidence) throws IOException;
    }

    private DeferredFiles deferred;

    /** Files go to {@code sink} once planned; directories, symlinks and special files are still made here. */
    VolumeExtraction deferFilesTo(DeferredFiles sink) {
        this.deferred = sink;
        return this;
    }

    /** @param volumeSize the volume's bytes: file data beyond them is refused unless --max-output raises the cap */
    VolumeExtraction(Context c, GuestFilesystem fs, String volumeName, long volumeSize, boolean intoDest, Tally.Volume vf) {
        this(c, fs, volumeName, volumeSize, intoDest, vf, new EvidenceTrail.Scope(volumeName, fs), false, null);
    }

    /**
     * The walk over a volume's recovered entries (--deleted), after its live walk: into the
     * directory that walk made for the volume ({@code liveRoot}, its name in DEST; null with
     * {@code intoDest}), whose metadata and evidence line that walk already gave.
     */
    static VolumeExtraction recovered(Context c, RecoveredTree tree, String volumeName, long volumeSize, boolean intoDest,
                                      Tally.Volume vf, byte[] liveRoot) {
        return new VolumeExtraction(c, tree, volumeName, volumeSize, intoDest, vf, new EvidenceTrail.Scope(volumeName, tree, tree),
                true, liveRoot);
    }

    private VolumeExtraction(Context c, GuestFilesystem fs, String volumeName, long volumeSize, boolean intoDest, Tally.Volume vf,
                             EvidenceTrail.Scope scope, boolean reopenRoot, byte[] liveRoot) {
        this.reopenRoot = reopenRoot;
        this.liveRoot = liveRoot;
        this.c = c;
        this.fs = fs;
        this.volumeName = volumeName;
        this.intoDest = intoDest;
        this.vf = vf;
        this.include = new Glob(c.options().include());
        this.exclude = new Glob(c.options().exclude());
        this.filtered = !c.options().include().isEmpty() || !c.options().exclude().isEmpty();
        long max = c.options().maxOutput();
        this.maxOutput = max == ExtractOptions.VOLUME_SIZE ? volumeSize : max;
        this.scope = scope;
    }

    /** The recovered entries' walk: the volume's directory exists (the live walk made it). */
    private final boolean reopenRoot;
    /** The live walk's name for the volume's directory in DEST (reopened by the recovered walk); null until made. */
    private byte[] liveRoot;

    /** The name the volume's directory got in DEST; null when the walk went straight into DEST or made none. */
    byte[] rootHostName() {
        return liveRoot;
    }

    private boolean dryRun() {
        return c.options().dryRun();
    }

    private EntryPath display(List<byte[]> path) {
        return new EntryPath(volumeName, path);
    }

    /** Whether --include/--exclude leave the entry out (the path is made into text only when they are given). */
    private boolean excluded(List<byte[]> path, boolean directory) {
        if (!filtered) return false;
        String d = display(path).full();
        if (!path.isEmpty() && exclude.matchesSelfOrAncestor(d)) return true;
        return !directory && !(include.isEmpty() || include.matchesSelfOrAncestor(d));
    }

    @Override
    public boolean enter(List<byte[]> path, Node dir) {
        Dir parent = dirs.peek();
        // Every entry the walk meets takes its name, filtered or not: verify names them the same way.
        byte[] name = null;
        EntryFailure refused = null;
        if (parent != null) {
            try {
                name = claim(parent, path.getLast(), path);
            } catch (EntryFailure e) {
                refused = e;
            }
        }
        if (excluded(path, true)) return false;
        if (parent != null && parent.failed) return false;
        boolean included = !filtered || include.isEmpty() || include.matchesSelfOrAncestor(display(path).full());
        dirs.push(new Dir(dir, path, name, refused, included));
        if (included) {
            try {
                ensureCreated();
            } catch (EntryFailure | SysException e) {
                c.report().error(vf, display(path).toString(), e);
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
        c.report().error(vf, display(path).toString(), reason, ErrorKind.CORRUPT);
        c.trail().failed(scope, path, null, reason, ErrorKind.CORRUPT);
    }

    @Override
    public void entry(List<byte[]> path, Node node) {
        Dir parent = dirs.peek();
        if (parent == null) return; // the walk starts at a directory
        EntryPath d = display(path);
        current = null;
        try {
            byte[] name = claim(parent, path.getLast(), path);
            if (excluded(path, false)) return;
            if (parent.failed) return;
            ensureCreated();
            if (node.nlink() > 1 && !linkedSeen.add(node.id())) {
                current = c.trail().laterName(scope, path, node);
                if (!dryRun()) c.finisher().link(vf, node.id(), parent.handle, name, d, current);
                else c.report().hardlink(vf);
                return;
            }
            switch (node.type()) {
                case FILE -> file(parent, name, d, node);
                case SYMLINK -> symlink(parent.handle, name, d, node);
                case FIFO, SOCKET, CHAR_DEVICE, BLOCK_DEVICE -> special(parent.handle, name, d, node);
                case DIRECTORY -> throw new IllegalStateException("directories are entered, not created here");
            }
        } catch (EntryFailure | VdetachException | IOException e) {
            if (Abort.isFatal(e)) throw (RuntimeException) e;
            c.report().error(vf, d.toString(), e);
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
                if (d.refused != null) throw d.refused;
                d.handle = dryRun() ? DirHandle.root(null)
                        : parent == null ? openVolumeRoot() : makeDirectory(parent.handle, d);
                if (!dryRun()) {
                    // the reopened volume root gets its times again once $Deleted/$Orphan are in it; its line is written once
                    c.finisher().directory(vf, d.handle, d.node, display(d.path));
                    if (!(reopenRoot && parent == null)) directoryEvidence(d);
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
            e.created(d.handle.hostPath());
            c.trail().smallStreams(e, fs, d.node, List.of()); // a directory's named streams (NTFS), listed and hashed
            e.done();
            e.walked();
        } catch (IOException e) {
            c.trail().failed(scope, d.path, d.node, Tally.message(e), Tally.kindOf(e));
        }
    }

    private DirHandle openVolumeRoot() {
        if (intoDest) return DirHandle.root(c.destFd());
        if (reopenRoot) {
            if (liveRoot == null) throw new EntryFailure(ErrorKind.HOST, "the volume's directory was not made: recovered entries not written");
            return new DirHandle(Linux.openat(c.destFd(), liveRoot, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0), null,
                    liveRoot, true);
        }
        int slash = volumeName.indexOf('/');
        if (slash < 0) return volumeDirectory(c.destFd(), null, volumeName);
        // A volume of one disk of several (an OVA appliance): DEST/<disk>/<volume>, the disk's
        // directory shared by its volumes (not a guest entry: it keeps the mode it is made with).
        byte[] disk = volumeName.substring(0, slash).getBytes(StandardCharsets.UTF_8);
        try {
            Linux.mkdirat(c.destFd(), disk, 0755);
        } catch (SysException e) {
            if (!e.is(Errno.EEXIST)) throw e;
        }
        try (Fd diskFd = Linux.openat(c.destFd(), disk, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0)) {
            return volumeDirectory(diskFd, new DirHandle(null, null, disk, false), volumeName.substring(slash + 1));
        }
    }

    /** Makes the volume's directory {@code name} in {@code in}; remembers its path beneath DEST for the recovered entries' walk. */
    private DirHandle volumeDirectory(Fd in, DirHandle parent, String name) {
        byte[] used = c.builder().create(in, name.getBytes(StandardCharsets.UTF_8), EntryPath.of(volumeName), true,
                n -> Linux.mkdirat(in, n, 0700));
        if (used == null) throw new EntryFailure(ErrorKind.HOST, "volume directory skipped (--on-conflict skip)");
        DirHandle made = new DirHandle(Linux.openat(in, used, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0), parent, used, true);
        liveRoot = made.hostPath();
        return made;
    }

    private DirHandle makeDirectory(DirHandle parent, Dir d) {
        byte[] used = c.builder().create(parent.fd, d.hostName, display(d.path), true, n -> Linux.mkdirat(parent.fd, n, 0700));
        if (used == null) throw new EntryFailure(ErrorKind.HOST, "skipped (--on-conflict skip)");
        Fd fd = Linux.openat(parent.fd, used, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0);
        return new DirHandle(fd, parent, used, true);
    }

    /**
     * The host name of a guest name in {@code parent}: made safe ({@link GuestName}), then made
     * unique among the names its earlier entries got ({@link DirectoryNames}). Renames are reported.
     */
    private byte[] claim(Dir parent, byte[] guest, List<byte[]> path) {
        byte[] safe = switch (GuestName.sanitize(guest)) {
            case GuestName.Safe s -> s.name();
            case GuestName.Renamed rn -> {
                c.report().conflict(display(path).toString(), "renamed: " + rn.reason(), new String(rn.name(), StandardCharsets.UTF_8));
                yield rn.name();
            }
            case GuestName.Refused rf -> throw new EntryFailure(ErrorKind.CORRUPT, rf.reason());
        };
        byte[] got = parent.names.claim(safe);
        if (got != safe) {
            c.report().conflict(display(path).toString(), "renamed: an earlier entry of its directory has the name "
                    + new String(safe, StandardCharsets.UTF_8), new String(got, StandardCharsets.UTF_8));
        }
        return got;
    }

    private void symlink(DirHandle dir, byte[] name, EntryPath display, Node node) throws IOException {
        current = c.trail().entry(scope, display.path(), node);
        byte[] target = node.symlinkTarget();
        for (byte b : target) if (b == 0) throw new EntryFailure(ErrorKind.CORRUPT, "symlink target holds a NUL byte");
        if (!dryRun() && !made(dir, name, display, node, n -> Linux.symlinkat(target, dir.fd, n))) return;
        current.done();
        c.report().symlink(vf);
    }

    /**
     * Makes a symlink or special file by {@code action} and gives it the node's metadata; false
     * when --on-conflict skipped the name (the entry's evidence says so).
     */
    private boolean made(DirHandle dir, byte[] name, EntryPath display, Node node, HostTreeBuilder.Action action) {
        byte[] used = c.builder().create(dir.fd, name, display, false, action);
        if (used == null) {
            current.skip(SKIPPED);
            return false;
        }
        current.created(dir, used);
        c.metadata().applyAt(dir.fd, used, node).forEach(p -> c.report().error(vf, display.toString(), p, ErrorKind.HOST));
        if (node.nlink() > 1) c.finisher().firstName(vf, node.id(), dir, used);
        return true;
    }

    private void special(DirHandle dir, byte[] name, EntryPath display, Node node) throws IOException {
        current = c.trail().entry(scope, display.path(), node);
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
            if (!made(dir, name, display, node, n -> Linux.mknodat(dir.fd, n, type | 0600, dev))) return;
        }
        current.done();
        c.report().special(vf);
    }

    private void file(Dir parent, byte[] name, EntryPath display, Node node) throws IOException {
        Layer content = fs.content(node);
        List<PlannedRun> runs = plan(content, node.size());
        current = c.trail().file(scope, display.path(), node, content, EvidenceTrail.dataOf(runs));
        file(parent.handle, name, display, node, content, runs, current);
        List<NamedStream> large = fs.largeStreams(node);
        c.trail().smallStreams(current, fs, node, large);
        for (NamedStream st : large) {
            // Too large for an xattr: "<file>:<stream>" beside the file, with the file's metadata.
            byte[] streamName = new byte[name.length + 1 + st.name().length];
            System.arraycopy(name, 0, streamName, 0, name.length);
            streamName[name.length] = ':';
            System.arraycopy(st.name(), 0, streamName, name.length + 1, st.name().length);
            List<byte[]> streamPath = new ArrayList<>(display.path());
            streamPath.set(streamPath.size() - 1, streamName);
            EntryPath sd = display(streamPath);
            byte[] host = claim(parent, streamName, streamPath);
            Node asFile = new Node(node.id(), node.type(), node.mode(), node.uid(), node.gid(), st.content().size(), 1,
                    node.mtime(), node.atime(), node.ctime(), node.btime(), null, 0, 0, List.of(), List.of(), node.fileAttributes());
            c.report().warn(sd + ": alternate data stream larger than a host xattr, written as the file " + new String(host, StandardCharsets.UTF_8));
            List<PlannedRun> streamRuns = plan(st.content(), asFile.size());
            PendingEntry stream = current.streamFile(st.name(), asFile, st.content(), EvidenceTrail.dataOf(streamRuns));
            try {
                file(parent.handle, host, sd, asFile, st.content(), streamRuns, stream);
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

    private void file(DirHandle dir, byte[] name, EntryPath display, Node node, Layer data, List<PlannedRun> runs,
                      PendingEntry evidence) throws IOException {
        long size = node.size();
        capOutput(runs);
        synchronized (c.totals()) {
            c.totals().addFile(runs, c.classifier().blockSize());
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
                    c.report().error(vf, display.toString(), e);
                    evidence.fail(e);
                }
            } catch (RuntimeException e) {
                c.report().error(vf, display.toString(), "unexpected " + e, ErrorKind.INTERNAL);
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
     * Refuses a file whose data would take the volume's output past {@link #maxOutput}: a small
     * image whose files claim the same blocks again and again (overlapping runs, table entries
     * pointing at one cluster) would otherwise fill DEST with far more than the image holds.
     */
    private void capOutput(List<PlannedRun> runs) {
        long data = 0;
        for (PlannedRun r : runs) if (r.kind() != RunClass.HOLE) data += r.length();
        if (data > maxOutput - output) {
            if (!capped) {
                capped = true;
                c.report().warn(volumeName + ": output stopped at " + output + " bytes of file data, the cap of " + maxOutput
                        + " bytes (" + (c.options().maxOutput() == ExtractOptions.VOLUME_SIZE ? "the volume's size" : "--max-output")
                        + "): its files claim more data than the volume holds (the same blocks claimed again, a hostile image,"
                        + " or a guest that shares blocks between files); --max-output SIZE raises the cap");
            }
            throw new EntryFailure(ErrorKind.CORRUPT, "not extracted: " + data + " bytes of data would pass the volume's output"
                    + " cap of " + maxOutput + " bytes (--max-output)");
        }
        output += data;
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

    private void writeFile(DirHandle dir, byte[] name, EntryPath display, Node node, List<PlannedRun> runs, Layer data,
                           long size, PendingEntry evidence) throws IOException {
        HostTreeBuilder.Created<Fd> created = c.builder().createWith(dir.fd, name, display, false, newFileIn(dir.fd));
        if (created == null) {
            evidence.skip(SKIPPED);
            return;
        }
        byte[] used = created.name();
        evidence.created(dir, used);
        try (Fd fd = created.made()) {
            ContentWriter.Written w = c.workers().writer().write(fd, runs, data, size, c.destIsBtrfs(), evidence.hasher());
            c.report().file(vf, size, w.shared(), w.copied(), w.materialised(), w.sparse());
            if (w.fallback() != null) c.report().warn(w.fallback());
            c.metadata().apply(fd, node).forEach(p -> c.report().error(vf, display.toString(), p, ErrorKind.HOST));
            evidence.done(new EntryRecord.Extraction(w.shared(), w.copied(), w.materialised()));
        }
        if (node.nlink() > 1) c.finisher().firstName(vf, node.id(), dir, used);
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
