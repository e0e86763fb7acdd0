package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.VdetachException;
import io.vdetach.evidence.EvidenceOptions;
import io.vdetach.evidence.FileHasher;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.RecoveredTree;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.plan.OpenedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ls --manifest FILE} (and {@code --bodyfile}): the same entry lines as extract writes,
 * without the extraction's keys, for every volume or one subtree. Content is read only to hash
 * it ({@code --hash}), file by file in walk order through the guest layers.
 */
public final class ManifestListing {
    private ManifestListing() {}

    /**
     * @param guestPath only this subtree ("p1/etc"); null: every volume
     * @param deleted also each volume's recovered entries (--deleted; not with a subtree)
     */
    public record Request(ImageSource image, String guestPath, EvidenceOptions evidence, boolean deleted) {
        public Request(ImageSource image, String guestPath, EvidenceOptions evidence) {
            this(image, guestPath, evidence, false);
        }
    }

    /** @param warnings what the user should know (--deleted not supported by a filesystem) */
    public record Result(long entries, long errors, double seconds, List<String> warnings) {
        public int exitCode() { return errors == 0 ? 0 : 1; }
    }

    private static final int READ = 8 << 20;

    public static Result run(Request r) throws IOException {
        long t0 = System.nanoTime();
        Tally report = new Tally();
        try (OpenedImage img = r.image().openImage();
             EvidenceTrail trail = EvidenceTrail.open(r.evidence(), "ls", img)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(READ);
            if (r.guestPath() != null) {
                GuestPaths.Found f = GuestPaths.resolve(img, r.guestPath());
                List<byte[]> start = new ArrayList<>();
                for (String part : f.rest().split("/")) if (!part.isEmpty()) start.add(part.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                TreeWalker.walk(f.fs(), f.node(), start, new Lister(trail, report, new EvidenceTrail.Scope(f.slot().volume().name(), f.fs()), buffer));
            } else {
                for (OpenedImage.Slot s : img.slots()) {
                    GuestFilesystem fs = s.filesystem();
                    if (fs == null) {
                        if (s.problem() != null) report.error(null, s.volume().name(), s.problem());
                        continue;
                    }
                    TreeWalker.walk(fs, new Lister(trail, report, new EvidenceTrail.Scope(s.volume().name(), fs), buffer));
                    if (r.deleted()) recovered(s, trail, report, buffer);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Report done = report.report(seconds);
            long entries = trail.entriesWritten();
            Map<String, Object> totals = new LinkedHashMap<>();
            totals.put("errors", done.errors().size());
            totals.put("exit_code", done.errors().isEmpty() ? 0 : 1);
            totals.put("seconds", seconds);
            trail.finish(totals);
            return new Result(entries, done.errors().size(), seconds, done.warnings());
        }
    }

    /** A volume's recovered entries: $Deleted/ and $Orphan/ walked below its root (whose line the live walk wrote). */
    private static void recovered(OpenedImage.Slot s, EvidenceTrail trail, Tally report, ByteBuffer buffer) throws IOException {
        String name = s.volume().name();
        RecoveredTree tree;
        try {
            tree = RecoveredTree.of(s.filesystem());
        } catch (VdetachException e) {
            report.error(null, name + "/$Deleted", e);
            return;
        }
        for (String n : tree.notices()) report.warn(name + ": " + n);
        for (VdetachException e : tree.problems()) report.error(null, name + "/$Deleted", e);
        Lister lister = new Lister(trail, report, new EvidenceTrail.Scope(name, tree, tree), buffer);
        for (DirEntry top : tree.list(tree.node(tree.rootId()))) {
            TreeWalker.walk(tree, tree.node(top.id()), List.of(top.name()), lister);
        }
    }

    private static final class Lister implements TreeWalker.Visitor {
        private final EvidenceTrail trail;
        private final Tally report;
        private final EvidenceTrail.Scope scope;
        private final ByteBuffer buffer;
        private final Set<Long> linkedSeen = new HashSet<>();

        Lister(EvidenceTrail trail, Tally report, EvidenceTrail.Scope scope, ByteBuffer buffer) {
            this.trail = trail;
            this.report = report;
            this.scope = scope;
            this.buffer = buffer;
        }

        private String display(List<byte[]> path) {
            String p = TreeWalker.display(path);
            return p.isEmpty() ? scope.volume() : scope.volume() + "/" + p;
        }

        @Override
        public boolean enter(List<byte[]> path, Node dir) throws IOException {
            entry(path, dir);
            return true;
        }

        @Override
        public void leave(List<byte[]> path, Node dir) { }

        @Override
        public void error(List<byte[]> path, String reason) {
            report.error(null, display(path), reason, ErrorKind.CORRUPT);
            trail.failed(scope, path, null, reason, ErrorKind.CORRUPT);
        }

        @Override
        public void entry(List<byte[]> path, Node node) throws IOException {
            PendingEntry e = null;
            try {
                boolean later = node.type() != EntryType.DIRECTORY && node.nlink() > 1 && !linkedSeen.add(node.id());
                if (later) {
                    e = trail.laterName(scope, path, node);
                } else if (node.type() == EntryType.FILE) {
                    e = file(path, node);
                } else {
                    e = trail.entry(scope, path, node);
                    if (node.isDirectory()) trail.smallStreams(e, scope.fs(), node, List.of());
                }
                e.done();
            } catch (VdetachException ex) {
                report.error(null, display(path), ex);
                if (e != null) e.fail(ex);
                else trail.failed(scope, path, node, Tally.message(ex), Tally.kindOf(ex));
            } finally {
                if (e != null) e.walked();
            }
        }

        /** A file's line; with hashing its data read in file order (holes hashed as zeros, not read). */
        private PendingEntry file(List<byte[]> path, Node node) throws IOException {
            Layer content = scope.fs().content(node);
            List<Run> map = content.map(0, content.size());
            List<FileHasher.Range> data = EvidenceTrail.dataOfMap(map);
            PendingEntry e = trail.file(scope, path, node, content, data);
            FileHasher h = e.hasher();
            if (h != null) {
                for (FileHasher.Range g : data) {
                    for (long at = g.offset(); at < g.offset() + g.length(); ) {
                        buffer.clear().limit((int) Math.min(buffer.capacity(), g.offset() + g.length() - at));
                        content.readFully(at, buffer);
                        buffer.flip();
                        h.offer(at, buffer);
                        at += buffer.remaining();
                    }
                }
            }
            trail.smallStreams(e, scope.fs(), node, List.of());
            return e;
        }
    }
}
