package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.VdetachException;
import io.vdetach.evidence.EntryRecord;
import io.vdetach.evidence.FileHasher;
import io.vdetach.evidence.Output;
import io.vdetach.evidence.TarEntry;
import io.vdetach.evidence.TarWriter;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.guestfs.Xattr;
import io.vdetach.plan.Glob;
import io.vdetach.plan.GuestName;
import io.vdetach.plan.OpenedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code extract --tar FILE|-}: every readable volume's tree as one POSIX pax archive instead of
 * files in DEST, member names as extract would create them ({@code p1/etc/hosts}). One walk, members
 * in walk order with each directory after its contents (GNU tar sets a directory's times once the
 * next member lies outside it); each file's content read in file order through its guest layers by
 * the walker while the writer thread ({@link TarOutput}) hashes and writes the piece before (holes
 * as GNU sparse regions, from the filesystem's map); hard links as links to the first name. Memory
 * stays bounded: three read buffers and the first names of hard-linked files; nothing is written
 * anywhere but the archive. An archive a failed run leaves in a file is removed.
 */
public final class TarExport {
    private TarExport() {}

    /** @param options volume, include/exclude, progress and evidence are used; the rest is extract's */
    public record Request(ImageSource image, Output tar, ExtractOptions options) {}

    public static Report run(Request r) throws IOException {
        long t0 = System.nanoTime();
        Tally report = new Tally();
        ExtractOptions o = r.options();
        boolean complete = false;
        try (OpenedImage img = r.image().openImage();
             EvidenceTrail trail = EvidenceTrail.open(o.evidence(), "extract --tar", img)) {
            img.image().warnings().forEach(report::warn);
            List<OpenedImage.Slot> slots = Extractor.selected(img, o.volume());
            try (WritableByteChannel ch = r.tar().channel(); TarOutput out = new TarOutput(new TarWriter(ch))) {
                for (OpenedImage.Slot slot : slots) {
                    Tally.Volume vf = Extractor.begin(report, slot);
                    if (vf == null) continue;
                    Members m = new Members(out, report, vf, slot.filesystem(), slot.volume().name(), o.volume() != null, o, trail);
                    TreeWalker.walk(slot.filesystem(), m);
                }
                out.then(TarWriter::close);
                out.finish();
            }
            Report done = report.report((System.nanoTime() - t0) / 1e9);
            trail.finish(done);
            complete = true;
            return done;
        } finally {
            o.progress().done();
            if (!complete && r.tar() instanceof Output.ToFile f) Files.deleteIfExists(f.path());
        }
    }

    /** One volume's walk, writing members. */
    private static final class Members implements TreeWalker.Visitor {
        private final TarOutput tar;
        private final Tally report;
        private final Tally.Volume vf;
        private final GuestFilesystem fs;
        private final String volume;
        private final boolean intoRoot;
        private final ExtractOptions o;
        private final EvidenceTrail trail;
        private final EvidenceTrail.Scope scope;
        private final Glob include;
        private final Glob exclude;
        /** Directories being walked: whether each gets a member (included, or something beneath it was written). */
        private final ArrayDeque<Dir> dirs = new ArrayDeque<>();
        /** Node id of a hard-linked file &rarr; its first member's name. */
        private final Map<Long, byte[]> firstMembers = new HashMap<>();

        private static final class Dir {
            final byte[] member;
            final boolean included;
            boolean needed;

            Dir(byte[] member, boolean included) {
                this.member = member;
                this.included = included;
            }
        }

        Members(TarOutput tar, Tally report, Tally.Volume vf, GuestFilesystem fs, String volume, boolean intoRoot,
                ExtractOptions o, EvidenceTrail trail) {
            this.tar = tar;
            this.report = report;
            this.vf = vf;
            this.fs = fs;
            this.volume = volume;
            this.intoRoot = intoRoot;
            this.o = o;
            this.trail = trail;
            this.scope = new EvidenceTrail.Scope(volume, fs);
            this.include = new Glob(o.include());
            this.exclude = new Glob(o.exclude());
        }

        private String display(List<byte[]> path) {
            String p = TreeWalker.display(path);
            return p.isEmpty() ? volume : volume + "/" + p;
        }

        @Override
        public boolean enter(List<byte[]> path, Node dir) {
            String d = display(path);
            if (!path.isEmpty() && exclude.matchesSelfOrAncestor(d)) return false;
            byte[] member;
            try {
                member = member(path, d);
            } catch (EntryFailure e) {
                fail(path, dir, d, e);
                return false;
            }
            dirs.push(new Dir(member, include.isEmpty() || include.matchesSelfOrAncestor(d)));
            return true;
        }

        @Override
        public void leave(List<byte[]> path, Node dir) throws IOException {
            Dir d = dirs.pop();
            if (!d.included && !d.needed) return;
            if (!dirs.isEmpty()) dirs.peek().needed = true;
            PendingEntry e = trail.entry(scope, path, dir);
            trail.smallStreams(e, fs, dir, List.of());
            TarEntry te = entry(d.member, dir);
            tar.then(t -> t.directory(te));
            if (!path.isEmpty()) report.directory(vf);
            e.created(d.member);
            e.done();
            e.walked();
        }

        @Override
        public void error(List<byte[]> path, String reason) {
            report.error(vf, display(path), reason, ErrorKind.CORRUPT);
            trail.failed(scope, path, null, reason, ErrorKind.CORRUPT);
        }

        @Override
        public void entry(List<byte[]> path, Node node) throws IOException {
            String d = display(path);
            if (exclude.matchesSelfOrAncestor(d) || !(include.isEmpty() || include.matchesSelfOrAncestor(d))) return;
            for (Dir x : dirs) x.needed = true;
            PendingEntry e = null;
            try {
                byte[] member = member(path, d);
                byte[] first = node.nlink() > 1 ? firstMembers.get(node.id()) : null;
                if (first != null) {
                    PendingEntry later = trail.laterName(scope, path, node);
                    e = later;
                    TarEntry te = entry(member, node);
                    later.created(member);
                    // done on the writer thread, after the first name's pieces: its hashes are known then
                    tar.then(t -> {
                        t.hardLink(te, first);
                        later.done();
                    });
                    report.hardlink(vf);
                    return;
                } else {
                    switch (node.type()) {
                        case FILE -> e = file(path, member, d, node);
                        case SYMLINK -> {
                            e = trail.entry(scope, path, node);
                            TarEntry te = entry(member, node);
                            tar.then(t -> t.symlink(te, node.symlinkTarget()));
                            report.symlink(vf);
                        }
                        case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> {
                            e = trail.entry(scope, path, node);
                            TarEntry te = entry(member, node);
                            switch (node.type()) {
                                case CHAR_DEVICE -> tar.then(t -> t.characterDevice(te, node.rdevMajor(), node.rdevMinor()));
                                case BLOCK_DEVICE -> tar.then(t -> t.blockDevice(te, node.rdevMajor(), node.rdevMinor()));
                                default -> tar.then(t -> t.fifo(te));
                            }
                            report.special(vf);
                        }
                        case SOCKET -> throw new EntryFailure(ErrorKind.UNSUPPORTED, "a socket: tar has no member type for it, not archived");
                        case DIRECTORY -> throw new IllegalStateException("directories are entered, not written here");
                    }
                    if (node.nlink() > 1) firstMembers.put(node.id(), member);
                }
                e.created(member);
                e.done();
            } catch (EntryFailure | VdetachException ex) {
                if (e != null) {
                    e.fail(ex);
                    report.error(vf, d, ex);
                } else {
                    fail(path, node, d, ex);
                }
            } finally {
                if (e != null) e.walked();
            }
            report.progress(o.progress());
        }

        private void fail(List<byte[]> path, Node node, String display, RuntimeException ex) {
            report.error(vf, display, ex);
            trail.failed(scope, path, node, Tally.message(ex), Tally.kindOf(ex));
        }

        /**
         * A regular file: its data regions from the filesystem's map, read in file order through the
         * guest layers, written and hashed from the same buffer; its large named streams after it, as
         * {@code name:stream} members (as extract writes them).
         */
        private PendingEntry file(List<byte[]> path, byte[] member, String display, Node node) throws IOException {
            Layer content = fs.content(node);
            List<Run> map = content.map(0, content.size());
            PendingEntry e = trail.file(scope, path, node, content, EvidenceTrail.dataOfMap(map));
            EntryRecord.Extraction x = content(member, node, content, map, e.hasher());
            e.done(x);
            List<NamedStream> large = fs.largeStreams(node);
            trail.smallStreams(e, fs, node, large);
            for (NamedStream st : large) {
                byte[] name = new byte[path.getLast().length + 1 + st.name().length];
                System.arraycopy(path.getLast(), 0, name, 0, path.getLast().length);
                name[path.getLast().length] = ':';
                System.arraycopy(st.name(), 0, name, path.getLast().length + 1, st.name().length);
                List<byte[]> streamPath = new ArrayList<>(path.subList(0, path.size() - 1));
                streamPath.add(name);
                String sd = display + ":" + new String(st.name(), StandardCharsets.UTF_8);
                byte[] streamMember = member(streamPath, sd);
                Node asFile = new Node(node.id(), node.type(), node.mode(), node.uid(), node.gid(), st.content().size(), 1,
                        node.mtime(), node.atime(), node.ctime(), node.btime(), null, 0, 0, List.of(), List.of(), node.fileAttributes());
                List<Run> smap = st.content().map(0, st.content().size());
                PendingEntry s = e.streamFile(st.name(), asFile, st.content(), EvidenceTrail.dataOfMap(smap));
                try {
                    report.warn(sd + ": alternate data stream larger than a host xattr, archived as the member "
                            + new String(streamMember, StandardCharsets.UTF_8));
                    s.created(streamMember);
                    s.done(content(streamMember, asFile, st.content(), smap, s.hasher()));
                } catch (IOException | RuntimeException ex) {
                    s.fail(ex);
                    throw ex;
                } finally {
                    s.walked();
                }
            }
            for (String note : node.notes()) report.warn(display + ": " + note);
            return e;
        }

        /**
         * One file member: its pieces read here, each handed to the writer thread, which hashes it
         * and writes it; holes stay holes.
         */
        private EntryRecord.Extraction content(byte[] member, Node node, Layer content, List<Run> map, FileHasher hasher)
                throws IOException {
            List<TarWriter.Region> regions = new ArrayList<>();
            long mapped = 0, decoded = 0, holes = 0;
            for (Run run : map) {
                switch (run) {
                    case Run.Hole h -> holes += h.length();
                    case Run.Mapped m -> mapped += m.length();
                    case Run.Materialise m -> decoded += m.length();
                }
                if (run instanceof Run.Hole) continue;
                TarWriter.Region last = regions.isEmpty() ? null : regions.getLast();
                if (last != null && last.offset() + last.length() == run.start()) {
                    regions.set(regions.size() - 1, new TarWriter.Region(last.offset(), last.length() + run.length()));
                } else {
                    regions.add(new TarWriter.Region(run.start(), run.length()));
                }
            }
            VdetachException unreadable = null;
            TarEntry te = entry(member, node);
            long size = content.size();
            TarWriter.FileBody[] body = new TarWriter.FileBody[1]; // the writer thread's
            tar.then(t -> body[0] = t.file(te, size, regions));
            for (TarWriter.Region g : regions) {
                for (long at = g.offset(); at < g.offset() + g.length(); ) {
                    ByteBuffer buffer = tar.buffer();
                    buffer.limit((int) Math.min(buffer.capacity(), g.offset() + g.length() - at));
                    if (unreadable == null) {
                        try {
                            content.readFully(at, buffer);
                        } catch (VdetachException ex) {
                            // the header announced the size: the member is completed with zeros and the entry fails
                            unreadable = ex;
                        }
                    }
                    if (unreadable != null) {
                        while (buffer.hasRemaining()) buffer.put((byte) 0);
                    }
                    buffer.flip();
                    long pieceAt = at;
                    boolean hash = hasher != null && unreadable == null;
                    at += buffer.remaining();
                    tar.then(t -> {
                        if (hash) hasher.offer(pieceAt, buffer);
                        body[0].write(buffer);
                        tar.recycle(buffer);
                    });
                }
            }
            tar.then(t -> body[0].close());
            if (unreadable != null) throw unreadable;
            report.file(vf, content.size(), 0, mapped, decoded, holes);
            return new EntryRecord.Extraction(0, mapped, decoded);
        }

        /** The member's name: the volume (unless --volume), then each component as extract names it on the host. */
        private byte[] member(List<byte[]> path, String display) {
            List<byte[]> parts = new ArrayList<>();
            if (!intoRoot) parts.add(volume.getBytes(StandardCharsets.UTF_8));
            for (byte[] c : path) {
                parts.add(switch (GuestName.sanitize(c)) {
                    case GuestName.Safe s -> s.name();
                    case GuestName.Renamed rn -> {
                        report.conflict(display, "renamed: " + rn.reason(), new String(rn.name(), StandardCharsets.UTF_8));
                        yield rn.name();
                    }
                    case GuestName.Refused rf -> throw new EntryFailure(ErrorKind.CORRUPT, rf.reason());
                });
            }
            if (parts.isEmpty()) return new byte[] {'.'};
            byte[] out = parts.getFirst();
            for (int i = 1; i < parts.size(); i++) out = VolumeExtraction.join(out, parts.get(i));
            return out;
        }

        private static TarEntry entry(byte[] member, Node n) {
            List<Xattr> xattrs = new ArrayList<>();
            // XFS keeps POSIX ACLs under these names too; system.posix_acl_* carries them already
            for (Xattr x : n.xattrs()) if (!x.name().startsWith("trusted.SGI_ACL_")) xattrs.add(x);
            return new TarEntry(member, n.mode() & 07777, n.uid(), n.gid(), n.mtime(), n.atime(), n.ctime(), xattrs);
        }
    }
}
