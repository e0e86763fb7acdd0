package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.host.HostFilesystem;
import io.vdetach.plan.Classifier;
import io.vdetach.plan.Glob;
import io.vdetach.plan.GuestName;
import io.vdetach.plan.Mode;
import io.vdetach.plan.OpenedImage;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.Totals;
import io.vdetach.sys.Linux;
import io.vdetach.sys.StatFs;
import io.vdetach.sys.SysException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** extract: every readable volume's tree into DEST, sharing blocks where the plan says so. */
public final class Extractor {
    private Extractor() {}

    public static Report extract(OpenedImage image, Path dest, ExtractOptions o) throws IOException {
        long t0 = System.nanoTime();
        Report report = new Report();
        report.warnings.addAll(image.image().warnings());
        if (!o.dryRun()) Files.createDirectories(dest);
        int destFd = Linux.open(dest.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
        try (SourceFiles sources = new SourceFiles()) {
            HostFilesystem host = HostFilesystem.of(dest, destFd);
            Classifier classifier = new Classifier(host, o.mode());
            if (o.mode() == Mode.SHARE) requireSharing(image, classifier);
            StatFs before = host.statfs();
            List<OpenedImage.Slot> slots = image.slots();
            if (o.volume() != null) {
                OpenedImage.Slot s = image.slot(o.volume());
                if (s == null) throw new HostException("no volume " + o.volume() + " in the image (see vdetach ls)");
                slots = List.of(s);
            }
            Totals totals = new Totals();
            ContentWriter content = new ContentWriter(sources, o.mode(), host.blockSize());
            MetadataWriter metadata = new MetadataWriter(o.restoreOwners());
            for (OpenedImage.Slot slot : slots) {
                GuestFilesystem fs = slot.filesystem();
                if (fs == null) {
                    if (slot.problem() != null) {
                        report.errors.add(new Report.EntryError(slot.volume().name(), slot.problem().getMessage()));
                        report.volumeFailures++;
                        Report.VolumeFigures vf = new Report.VolumeFigures(slot.volume().name(), "damaged");
                        vf.status = "error";
                        report.volumes.add(vf);
                    }
                    continue;
                }
                for (String w : fs.warnings()) report.warnings.add(slot.volume().name() + ": " + w);
                Report.VolumeFigures vf = new Report.VolumeFigures(slot.volume().name(), fs.type());
                report.volumes.add(vf);
                boolean intoDest = o.volume() != null;
                VolumeExtraction v = new VolumeExtraction(fs, slot.volume().name(), intoDest, destFd, o, report, vf,
                        classifier, content, metadata, totals, host.statfs().type() == StatFs.BTRFS_MAGIC);
                TreeWalker.walk(fs, v);
            }
            report.reasons.putAll(totals.reasons());
            if (!o.dryRun()) {
                Linux.syncfs(destFd);
                StatFs after = Linux.fstatfs(destFd);
                report.extraSpaceUsed = (before.blocksFree() - after.blocksFree()) * after.blockSize();
            }
        } finally {
            Linux.close(destFd);
            o.progress().done();
        }
        report.seconds = (System.nanoTime() - t0) / 1e9;
        return report;
    }

    private static void requireSharing(OpenedImage image, Classifier classifier) throws IOException {
        for (Path p : image.image().files()) {
            try (HostFile f = HostFile.open(p)) {
                String why = classifier.whyNotShared(f);
                if (why != null) throw new HostException("--mode share: cannot share blocks of " + p + " into DEST: " + why);
            }
        }
    }

    /** The walk over one volume: creates each entry beneath the volume's directory. */
    private static final class VolumeExtraction implements TreeWalker.Visitor {
        private final GuestFilesystem fs;
        private final String volumeName;
        private final boolean intoDest;
        private final int destFd;
        private final ExtractOptions o;
        private final Report report;
        private final Report.VolumeFigures vf;
        private final Classifier classifier;
        private final ContentWriter content;
        private final MetadataWriter metadata;
        private final Totals totals;
        private final boolean destIsBtrfs;
        private final HostTreeBuilder builder;
        private final Glob include;
        private final Glob exclude;
        private final java.util.ArrayDeque<Dir> dirs = new java.util.ArrayDeque<>();
        private final java.util.Map<Long, byte[]> firstLink = new java.util.HashMap<>();

        /** A guest directory on the walk's stack and its host counterpart (fd -1 until created). */
        private static final class Dir {
            final Node node;
            final byte[] guestName;
            final String display;
            final boolean included;
            byte[] hostPath; // relative to destFd, '/'-joined
            int fd = -1;
            boolean failed;

            Dir(Node node, byte[] guestName, String display, boolean included) {
                this.node = node;
                this.guestName = guestName;
                this.display = display;
                this.included = included;
            }
        }

        VolumeExtraction(GuestFilesystem fs, String volumeName, boolean intoDest, int destFd, ExtractOptions o,
                         Report report, Report.VolumeFigures vf, Classifier classifier, ContentWriter content,
                         MetadataWriter metadata, Totals totals, boolean destIsBtrfs) {
            this.fs = fs;
            this.volumeName = volumeName;
            this.intoDest = intoDest;
            this.destFd = destFd;
            this.o = o;
            this.report = report;
            this.vf = vf;
            this.classifier = classifier;
            this.content = content;
            this.metadata = metadata;
            this.totals = totals;
            this.destIsBtrfs = destIsBtrfs;
            this.builder = new HostTreeBuilder(o.onConflict(), report);
            this.include = new Glob(o.include());
            this.exclude = new Glob(o.exclude());
        }

        private String display(List<byte[]> path) {
            String p = TreeWalker.display(path);
            return p.isEmpty() ? volumeName : volumeName + "/" + p;
        }

        private boolean selected(String display) {
            if (exclude.matchesSelfOrAncestor(display)) return false;
            return include.isEmpty() || include.matchesSelfOrAncestor(display);
        }

        @Override
        public boolean enter(List<byte[]> path, Node dir) {
            String d = display(path);
            if (!path.isEmpty() && exclude.matchesSelfOrAncestor(d)) return false;
            boolean included = include.isEmpty() || include.matchesSelfOrAncestor(d);
            Dir parent = dirs.peek();
            if (parent != null && parent.failed) return false;
            dirs.push(new Dir(dir, path.isEmpty() ? null : path.getLast(), d, included));
            if (included) {
                try {
                    ensureCreated();
                } catch (EntryFailure | SysException e) {
                    error(d, e.getMessage());
                    dirs.peek().failed = true;
                }
            }
            return true;
        }

        @Override
        public void leave(List<byte[]> path, Node dir) {
            Dir d = dirs.pop();
            if (d.fd < 0) return;
            try {
                if (d.node != null) problems(d.display, metadata.apply(d.fd, d.node));
            } finally {
                if (d.fd != destFd) Linux.close(d.fd);
            }
        }

        @Override
        public void entry(List<byte[]> path, Node node) {
            String d = display(path);
            if (!selected(d)) return;
            Dir parent = dirs.peek();
            if (parent == null || parent.failed) return;
            try {
                ensureCreated();
                GuestName.Result r = GuestName.sanitize(path.getLast());
                byte[] name = switch (r) {
                    case GuestName.Safe s -> s.name();
                    case GuestName.Renamed rn -> {
                        report.conflicts.add(new Report.Conflict(d, "renamed: " + rn.reason(), new String(rn.name(), StandardCharsets.UTF_8)));
                        yield rn.name();
                    }
                    case GuestName.Refused rf -> throw new EntryFailure(rf.reason());
                };
                create(parent, name, d, node);
            } catch (EntryFailure | VdetachException | IOException e) {
                error(d, e.getMessage());
            }
            o.progress().update(report.files, report.bytesTotal, report.bytesShared);
        }

        @Override
        public void error(List<byte[]> path, String reason) {
            error(display(path), reason);
        }

        private void error(String display, String reason) {
            report.errors.add(new Report.EntryError(display, reason));
            vf.errors++;
        }

        private void problems(String display, List<String> problems) {
            for (String p : problems) error(display, p);
        }

        /** Creates the directories on the stack that do not exist on the host yet, outermost first. */
        private void ensureCreated() {
            java.util.Iterator<Dir> it = dirs.descendingIterator();
            Dir parent = null;
            while (it.hasNext()) {
                Dir d = it.next();
                if (d.fd < 0 && !o.dryRun()) {
                    if (parent == null) openVolumeRoot(d);
                    else makeDirectory(parent, d);
                } else if (d.fd < 0) {
                    d.fd = Integer.MIN_VALUE; // dry run: pretend
                }
                if (d.fd == Integer.MIN_VALUE && !o.dryRun()) throw new EntryFailure("parent directory was not created");
                parent = d;
            }
        }

        private void openVolumeRoot(Dir d) {
            if (intoDest) {
                d.fd = destFd;
                d.hostPath = new byte[0];
                return;
            }
            byte[] name = volumeName.getBytes(StandardCharsets.UTF_8);
            byte[] used = builder.create(destFd, name, volumeName, true, n -> Linux.mkdirat(destFd, n, 0700));
            if (used == null) throw new EntryFailure("volume directory skipped (--on-conflict skip)");
            d.fd = Linux.openat(destFd, used, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0);
            d.hostPath = used;
        }

        private void makeDirectory(Dir parent, Dir d) {
            byte[] name = hostName(d.guestName, d.display);
            byte[] used = builder.create(parent.fd, name, d.display, true, n -> Linux.mkdirat(parent.fd, n, 0700));
            if (used == null) throw new EntryFailure("skipped (--on-conflict skip)");
            d.fd = Linux.openat(parent.fd, used, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0);
            d.hostPath = join(parent.hostPath, used);
            report.directories++;
            vf.directories++;
        }

        private byte[] hostName(byte[] guest, String display) {
            return switch (GuestName.sanitize(guest)) {
                case GuestName.Safe s -> s.name();
                case GuestName.Renamed rn -> {
                    report.conflicts.add(new Report.Conflict(display, "renamed: " + rn.reason(), new String(rn.name(), StandardCharsets.UTF_8)));
                    yield rn.name();
                }
                case GuestName.Refused rf -> throw new EntryFailure(rf.reason());
            };
        }

        private void create(Dir parent, byte[] name, String display, Node node) throws IOException {
            int dirfd = parent.fd;
            if (node.nlink() > 1) {
                byte[] first = firstLink.get(node.id());
                if (first != null) {
                    if (!o.dryRun()) link(first, dirfd, name, display);
                    report.hardlinks++;
                    return;
                }
            }
            switch (node.type()) {
                case FILE -> file(dirfd, name, display, node);
                case SYMLINK -> {
                    byte[] target = node.symlinkTarget();
                    for (byte b : target) if (b == 0) throw new EntryFailure("symlink target holds a NUL byte");
                    if (!o.dryRun()) {
                        byte[] used = builder.create(dirfd, name, display, false, n -> Linux.symlinkat(target, dirfd, n));
                        if (used == null) return;
                        name = used;
                        problems(display, metadata.applyAt(dirfd, used, node));
                    }
                    report.symlinks++;
                }
                case FIFO, SOCKET, CHAR_DEVICE, BLOCK_DEVICE -> {
                    if (!o.dryRun()) {
                        int type = switch (node.type()) {
                            case FIFO -> Linux.S_IFIFO;
                            case SOCKET -> Linux.S_IFSOCK;
                            case CHAR_DEVICE -> Linux.S_IFCHR;
                            default -> Linux.S_IFBLK;
                        };
                        boolean device = type == Linux.S_IFCHR || type == Linux.S_IFBLK;
                        if (device && Linux.geteuid() != 0) throw new EntryFailure("device node not created: needs root");
                        long dev = makedev(node.rdevMajor(), node.rdevMinor());
                        byte[] used = builder.create(dirfd, name, display, false, n -> Linux.mknodat(dirfd, n, type | 0600, dev));
                        if (used == null) return;
                        name = used;
                        problems(display, metadata.applyAt(dirfd, used, node));
                    }
                    report.specials++;
                }
                case DIRECTORY -> throw new IllegalStateException("directories are entered, not created here");
            }
            if (node.nlink() > 1) firstLink.put(node.id(), join(parent.hostPath, name));
        }

        private void file(int dirfd, byte[] name, String display, Node node) throws IOException {
            Layer data = fs.content(node);
            long size = node.size();
            List<PlannedRun> runs = classifier.classify(ExtentMaps.toHostFiles(data, 0, size), size);
            if (o.dryRun()) {
                for (PlannedRun r : runs) count(r.kind(), r.length(), r);
                report.files++;
                vf.files++;
                return;
            }
            int[] fd = {-1};
            byte[] used = builder.create(dirfd, name, display, false, n -> fd[0] = Linux.openat(dirfd, n,
                    Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL | Linux.O_NOFOLLOW, 0600));
            if (used == null) return;
            try {
                ContentWriter.Written w = content.write(fd[0], runs, data, size, destIsBtrfs);
                for (PlannedRun r : runs) totals.add(r);
                report.bytesShared += w.shared();
                report.bytesCopied += w.copied() + w.materialised();
                report.bytesMaterialised += w.materialised();
                report.bytesSparse += w.sparse();
                report.bytesTotal += size;
                vf.bytesShared += w.shared();
                vf.bytesCopied += w.copied() + w.materialised();
                vf.bytesSparse += w.sparse();
                vf.bytesTotal += size;
                if (w.fallback() != null && !report.warnings.contains(w.fallback())) report.warnings.add(w.fallback());
                problems(display, metadata.apply(fd[0], node));
            } finally {
                Linux.close(fd[0]);
            }
            if (node.nlink() > 1) firstLink.put(node.id(), join(dirs.peek().hostPath, used));
            report.files++;
            vf.files++;
            for (String note : node.notes()) report.warnings.add(display + ": " + note);
        }

        private void count(io.vdetach.plan.RunClass kind, long length, PlannedRun r) {
            totals.add(r);
            switch (kind) {
                case SHARE -> report.bytesShared += length;
                case COPY -> report.bytesCopied += length;
                case MATERIALISE -> {
                    report.bytesCopied += length;
                    report.bytesMaterialised += length;
                }
                case HOLE -> report.bytesSparse += length;
            }
            report.bytesTotal += length;
        }

        private void link(byte[] firstPath, int dirfd, byte[] name, String display) {
            int slash = lastSlash(firstPath);
            byte[] parentPath = slash < 0 ? null : java.util.Arrays.copyOf(firstPath, slash);
            byte[] firstName = java.util.Arrays.copyOfRange(firstPath, slash + 1, firstPath.length);
            int pfd = parentPath == null ? destFd : io.vdetach.sys.BeneathPath.open(destFd, parentPath,
                    Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
            try {
                builder.create(dirfd, name, display, false, n -> Linux.linkat(pfd, firstName, dirfd, n));
            } finally {
                if (pfd != destFd) Linux.close(pfd);
            }
        }

        private static int lastSlash(byte[] p) {
            for (int i = p.length - 1; i >= 0; i--) if (p[i] == '/') return i;
            return -1;
        }

        private static byte[] join(byte[] parent, byte[] name) {
            if (parent == null || parent.length == 0) return name;
            byte[] out = new byte[parent.length + 1 + name.length];
            System.arraycopy(parent, 0, out, 0, parent.length);
            out[parent.length] = '/';
            System.arraycopy(name, 0, out, parent.length + 1, name.length);
            return out;
        }

        /** glibc's makedev. */
        private static long makedev(long major, long minor) {
            return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
        }
    }
}
