package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.HostException;
import io.vdetach.error.UsageException;
import io.vdetach.evidence.FileHasher;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.Node;
import io.vdetach.host.HostFilesystem;
import io.vdetach.plan.Classifier;
import io.vdetach.plan.ConflictPolicy;
import io.vdetach.plan.Mode;
import io.vdetach.plan.OpenedImage;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import io.vdetach.plan.Totals;
import io.vdetach.sys.BeneathPath;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code detach --streaming}: for hosts that cannot share the image's blocks. The guest is
 * walked and planned whole first (its metadata is never punched, so a resumed run re-walks it),
 * every file is created at its size (holes stay holes) and data that must be decoded is written
 * into it then (its source may lie anywhere), then the copied runs go through the {@link OrderedCopy}
 * engine in one pass over the image in offset order, in units of half a window. After each
 * unit (the engine's after-unit hook, in unit order): sync DEST, record the unit in the progress
 * file, and only then punch the unit's consumed bytes out of the image. The engine lets the
 * next unit be copied while one is synced and punched, never more (two units in flight), so the
 * bytes copied but not yet punched — the extra space — stay within one window. Metadata, hard
 * links and directory times come last, then the image is deleted.
 *
 * <p>Memory: the plan is not held on the heap. Each file's record (where it is, its node for the
 * metadata) goes to one scratch file ({@link PlannedFiles}), its pieces to another, sorted into
 * image order in bounded chunks and merged ({@link PieceSort}); both live in {@code $TMPDIR}, ~225
 * bytes a file, and vanish with the run. What stays in memory grows with the directories, the
 * hard-linked files and, when evidence is written, the files' pending hashes, not with the files.
 */
final class StreamingDetach {
    private StreamingDetach() {}

    /** A window smaller than this makes the per-unit sync dominate. */
    static final long MIN_WINDOW = 1L << 20;

    /**
     * The rest of a file's last guest block after its end, where the image holds it: nobody else's
     * bytes (filesystems allocate whole blocks), so it is punched with the unit that holds it.
     * Without it a tree of small files would keep one host block of the image per file.
     */
    private record Slack(HostFile source, long offset, long length) {}

    static Report run(Detach.Request r) throws IOException {
        long t0 = System.nanoTime();
        long window = r.streaming().window();
        if (window < MIN_WINDOW) throw new UsageException("--window must be at least 1M, not " + window + " bytes");
        if (r.options().mode() == Mode.SHARE) throw new UsageException("--streaming copies: it cannot be combined with --mode share");
        Path dest = r.dest().toAbsolutePath().normalize();
        Path progressPath = ProgressFile.pathFor(dest);
        Path image = r.image().real();
        String consumer = ConsumedMarker.consumer(image);
        if (consumer != null && !consumer.equals(dest.toString())) throw ConsumedMarker.refusal(image, consumer);
        ProgressFile progress = ProgressFile.read(progressPath);
        if (progress != null && !progress.image.equals(image.toString())) {
            throw new HostException(progressPath + " records a streaming detach of another image (" + progress.image
                    + "); finish that one first");
        }
        Tally report = new Tally();
        if (!Files.exists(image)) {
            if (consumer == null || progress == null || !progress.finished) throw new NoSuchFileException(image.toString());
            report.warn("the previous run had finished every file and deleted the image; removed its progress file and marker");
            finishCleanUp(image, progressPath);
            return report.report((System.nanoTime() - t0) / 1e9);
        }
        boolean resume = consumer != null && progress != null;
        if (progress != null && consumer == null) {
            throw new HostException(progressPath + " exists but " + ConsumedMarker.sidecar(image)
                    + " does not: not a resumable run; remove the progress file if DEST is not needed");
        }
        if (!resume) {
            requireEmpty(dest);
            Files.createDirectories(dest);
            progress = start(image, dest, window, progressPath);
        } else {
            checkIdentity(image, progress);
            if (progress.window != window) {
                report.warn("resuming with the window of the first run (" + progress.window + " bytes), not " + window);
            }
            window = progress.window;
        }
        try (OpenedImage img = r.image().openConsumedBy(dest);
             EvidenceTrail trail = EvidenceTrail.open(r.options().evidence(), "detach --streaming", img)) {
            img.image().warnings().forEach(report::warn);
            new Consumption(img, dest, r.options(), Math.max(1L << 16, window / 2 >> 16 << 16), progress, progressPath, resume,
                    report, r.streaming().crashPoints(), trail).execute();
            // the evidence is complete and on disk before anything is deleted
            trail.finish(report.report((System.nanoTime() - t0) / 1e9));
        }
        if (report.errorCount() > 0) {
            report.warn("the image was NOT deleted: " + report.errorCount() + " entries failed; its consumed parts are"
                    + " already punched out; " + ConsumedMarker.sidecar(image) + " and " + progressPath + " stay");
            return report.report((System.nanoTime() - t0) / 1e9);
        }
        progress.finished = true;
        progress.write(progressPath);
        r.streaming().crashPoints().reached("finished");
        Report.Deletion deleted = Detach.delete(List.of(image));
        r.streaming().crashPoints().reached("deleted");
        finishCleanUp(image, progressPath);
        return report.report((System.nanoTime() - t0) / 1e9).withDeletion(deleted);
    }

    private static void requireEmpty(Path dest) throws IOException {
        if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) throw new HostException(dest + ": not a directory");
        try (var s = Files.list(dest)) {
            if (s.findAny().isPresent()) {
                throw new HostException("detach --streaming needs an empty or new DEST (a resumed run must know every entry"
                        + " in it is its own): " + dest + " is not empty");
            }
        }
    }

    private static ProgressFile start(Path image, Path dest, long window, Path progressPath) throws IOException {
        ProgressFile p = new ProgressFile();
        p.image = image.toString();
        p.dev = ((Number) Files.getAttribute(image, "unix:dev")).longValue();
        p.ino = ((Number) Files.getAttribute(image, "unix:ino")).longValue();
        p.size = Files.size(image);
        p.mtimeNanos = ((FileTime) Files.getAttribute(image, "unix:lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        p.dest = dest.toString();
        p.window = window;
        p.freeBefore = Detach.statfs(dest).bytesFree();
        p.windowsDone = 0;
        ConsumedMarker.create(image, dest); // first: from now on every other command refuses the image
        p.write(progressPath);
        return p;
    }

    private static void checkIdentity(Path image, ProgressFile p) throws IOException {
        long dev = ((Number) Files.getAttribute(image, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(image, "unix:ino")).longValue();
        if (dev != p.dev || ino != p.ino || Files.size(image) != p.size) {
            throw new HostException(image + " is not the file the unfinished streaming detach started on (device, inode"
                    + " or size differ from " + ProgressFile.pathFor(Path.of(p.dest)) + ")");
        }
    }

    private static void finishCleanUp(Path image, Path progressPath) throws IOException {
        Files.deleteIfExists(progressPath);
        ProgressFile.fsync(progressPath.getParent(), true);
        ConsumedMarker.remove(image);
    }

    /**
     * One run of the command, after the progress file exists.
     *
     * @param unit bytes of the image per unit: half the window (see the class comment), in 64 KiB steps
     */
    private record Consumption(OpenedImage img, Path dest, ExtractOptions o, long unit, ProgressFile progress,
                               Path progressPath, boolean resume, Tally report, CrashPoints crash, EvidenceTrail trail,
                               Plan plan) {

        Consumption(OpenedImage img, Path dest, ExtractOptions o, long unit, ProgressFile progress, Path progressPath,
                    boolean resume, Tally report, CrashPoints crash, EvidenceTrail trail) {
            this(img, dest, o, unit, progress, progressPath, resume, report, crash, trail, new Plan());
        }

        /**
         * What the walk planned, in bounded memory: each file's record ({@link PlannedFiles}) and its
         * pieces ({@link PieceSort}) go to scratch files; only the image files, and the files'
         * evidence when it is on (their hashers wait for the copy), stay in memory.
         */
        private static final class Plan implements AutoCloseable {
            PlannedFiles files;
            PieceSort pieces;
            /** The image files pieces come from, numbered as they first appear. */
            final List<HostFile> sources = new ArrayList<>();
            final Map<HostFile, Integer> sourceIndex = new HashMap<>();
            /** By file number; null when the evidence is off. */
            List<PendingEntry> evidence;

            void open(boolean evidenceOn) throws IOException {
                files = new PlannedFiles();
                pieces = new PieceSort();
                evidence = evidenceOn ? new ArrayList<>() : null;
            }

            PendingEntry evidence(int file) {
                return evidence == null ? PendingEntry.NONE : evidence.get(file);
            }

            int source(HostFile f) {
                return sourceIndex.computeIfAbsent(f, k -> {
                    sources.add(k);
                    return sources.size() - 1;
                });
            }

            @Override
            public void close() throws IOException {
                try (PlannedFiles f = files; PieceSort p = pieces) {
                    evidence = null;
                }
            }
        }

        /** A planned file beneath DEST ({@code destFd}) in one unit; the engine opens it by path for each batch and closes it after. */
        private record Target(Fd destFd, byte[] path, PendingEntry evidence) implements OrderedCopy.Target {
            @Override
            public TargetFile open() {
                return new TargetFile(BeneathPath.open(destFd, path, Linux.O_WRONLY, 0));
            }

            @Override
            public void release(TargetFile file, boolean last, boolean ok) {
                if (file != null) file.close();
            }

            @Override
            public void consumed(ByteBuffer bytes, long fileOffset) {
                FileHasher h = evidence.hasher();
                if (h != null) h.offer(fileOffset, bytes);
            }
        }

        void execute() throws IOException {
            long t0 = System.nanoTime();
            try (Fd destFd = Linux.open(dest.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
                 SourceFiles sources = new SourceFiles();
                 Plan p = plan) {
                p.open(trail.on());
                HostFilesystem host = HostFilesystem.of(dest, destFd);
                boolean canShare;
                try (HostFile top = HostFile.open(img.image().ownFiles().getFirst())) {
                    canShare = o.mode() != Mode.COPY && new Classifier(host, Mode.AUTO).whyNotShared(top) == null;
                }
                if (canShare) report.warn("DEST can share the image's blocks: plain `vdetach detach` needs no extra space");
                // Every run with bytes in the image is copied; AUTO on a host that cannot share says why in the reasons.
                Classifier classifier = new Classifier(host, canShare ? Mode.COPY : o.mode());
                MetadataWriter metadata = new MetadataWriter(o.restoreOwners());
                // A resumed run finds its own entries: replace symlinks and specials, reuse files (see plan()).
                HostTreeBuilder builder = new HostTreeBuilder(resume ? ConflictPolicy.OVERWRITE : o.onConflict(), report);
                Finisher finisher = new Finisher(metadata, report);
                Totals totals = new Totals();
                ContentWriter decoder = new ContentWriter(sources, Mode.COPY, host.blockSize());
                try (Workers none = new Workers(0, () -> decoder)) {
                    VolumeExtraction.Context ctx = new VolumeExtraction.Context(destFd, o, report, classifier, metadata,
                            totals, false, builder, none, finisher, trail, null);
                    for (OpenedImage.Slot slot : Extractor.selected(img, o.volume())) {
                        Extractor.walk(ctx, slot, o.volume() != null, (v, dir, name, display, node, runs, data, size, ev) ->
                                plan(ctx, decoder, v, dir, name, display, node, runs, data, size,
                                        slackOf(data, size, slot.filesystem().blockSize()), ev));
                    }
                }
                plan.files.planned();
                // Nothing more is read through the cache: the copy reads the image itself, the rest
                // comes from the plan. Letting it go, and the walk's garbage with one full collection,
                // before the copy's buffers come took the peak at 1 M entries from 394 to 369 MiB
                // (docs/benchmarks.md, Scale).
                img.cache().clear();
                System.gc();
                report.notShared(totals.reasons());
                t0 = phase("walked, created " + plan.files.count() + " files (scratch: " + plan.files.bytes() + " bytes of records, "
                        + plan.pieces.size() + " pieces), decoded", t0);
                crash.reached("walked");
                if (!progress.materialised) {
                    Linux.syncfs(destFd);
                    progress.materialised = true;
                    progress.write(progressPath);
                    crash.reached("materialised");
                }
                sample();
                long units = copyUnits(destFd, sources);
                t0 = phase("copied " + units + " units", t0);
                plan.files.forEach(f -> finishFile(destFd, f, metadata));
                trail.rehashFallbacks(); // every file was hashed from DEST above: nothing is read from the punched image
                finisher.finish(destFd, builder);
                Linux.syncfs(destFd);
                phase("metadata, links, sync", t0);
                sample();
                report.streaming(units, progress.peakExtra);
                report.extraSpaceUsed(progress.freeBefore - Detach.statfs(dest).bytesFree());
            } finally {
                o.progress().done();
            }
        }

        /** With VDETACH_DEBUG: how long a phase took, on stderr; returns now. */
        private static long phase(String what, long since) {
            long now = System.nanoTime();
            if (System.getenv("VDETACH_DEBUG") != null) System.err.printf("streaming: %s in %.2f s%n", what, (now - since) / 1e9);
            return now;
        }

        /**
         * Creates the file at its final size (so holes stay holes), decodes what must be decoded
         * (compressed, resident or inline data: its source may lie anywhere, so before anything is
         * punched; a resumed run that recorded it skips it), records the file and its pieces: its
         * copied runs cut at unit boundaries, and its slack.
         */
        private void plan(VolumeExtraction.Context ctx, ContentWriter decoder, Tally.Volume vf, DirHandle dir, byte[] name,
                          EntryPath display, Node node, List<PlannedRun> runs, Layer data, long size, Slack slack,
                          PendingEntry evidence) throws IOException {
            // A resumed run reuses the file it made before (its copied units are in it), never O_EXCL.
            int flags = Linux.O_WRONLY | Linux.O_CREAT | Linux.O_NOFOLLOW | (resume ? 0 : Linux.O_EXCL);
            HostTreeBuilder.Created<Fd> created = ctx.builder().createWith(dir.fd, name, display, false,
                    n -> Linux.openat(dir.fd, n, flags, 0600));
            if (created == null) {
                evidence.skip(VolumeExtraction.SKIPPED);
                return;
            }
            evidence.created(dir, created.name());
            try (Fd fd = created.made()) {
                Linux.ftruncate(fd, size);
                List<PlannedRun> decode = runs.stream().filter(r -> r.kind() == RunClass.MATERIALISE).toList();
                if (!decode.isEmpty() && !progress.materialised) decoder.write(fd, decode, data, size, false, evidence.hasher());
            }
            if (node.nlink() > 1) ctx.finisher().firstName(vf, node.id(), dir, created.name());
            int file = plan.files.count();
            long record = plan.files.add(vf, dir, created.name(), display, node, size, CopiedFiles.copied(runs));
            if (plan.evidence != null) {
                evidence.rereadFromDest(); // finishFile hashes a fallen-back file from DEST
                plan.evidence.add(evidence);
            }
            report.plannedFile(vf, size, runs, false);
            for (PlannedRun r : runs) {
                if (r.kind() != RunClass.COPY && r.kind() != RunClass.SHARE) continue;
                int src = plan.source(r.source());
                for (long done = 0, n; done < r.length(); done += n) {
                    long at = r.sourceOffset() + done;
                    n = Math.min(r.length() - done, (at / unit + 1) * unit - at);
                    plan.pieces.add(new PieceSort.Piece(src, at, n, r.fileOffset() + done, file, record));
                }
            }
            if (slack != null) {
                // Kept inside its own unit: a block shared in the guest (reflink) may hold another file's
                // data there, which must be copied before anything of it is punched.
                long n = Math.min(slack.length(), (slack.offset() / unit + 1) * unit - slack.offset());
                plan.pieces.add(new PieceSort.Piece(plan.source(slack.source()), slack.offset(), n, -1, file, record));
            }
            for (String note : node.notes()) report.warn(display + ": " + note);
        }

        /**
         * Where the image keeps the bytes after the file's end in its last block: its last byte maps to
         * the volume at v, the block goes on to v + the rest of the block; null unless that lies in one
         * host file run (holes, decoded data and odd layouts are left alone).
         */
        private static Slack slackOf(Layer data, long size, int blockSize) throws IOException {
            if (size == 0 || blockSize <= 0 || size % blockSize == 0) return null;
            List<Run> last = data.map(size - 1, 1);
            if (last.size() != 1 || !(last.getFirst() instanceof Run.Mapped m)) return null;
            long rest = blockSize - size % blockSize;
            long from = m.offset() + 1;
            if (from + rest > m.target().size()) return null;
            List<Run> host = ExtentMaps.toHostFiles(m.target(), from, rest);
            if (host.size() != 1 || !(host.getFirst() instanceof Run.Mapped h) || !(h.target() instanceof HostFile f)) return null;
            return new Slack(f, h.offset(), rest);
        }

        /**
         * Hands the pieces to the engine unit by unit, in image order (units an earlier run recorded
         * as done are skipped); after each unit: sync, record, punch. Returns the number of units.
         */
        private long copyUnits(Fd destFd, SourceFiles sourceFiles) throws IOException {
            List<HostFile> sources = plan.sources;
            PieceSort.Cursor pieces = plan.pieces.sorted();
            List<Path> own = img.image().ownFiles().stream().map(p -> p.toAbsolutePath().normalize()).toList();
            List<Fd> punchFds = new ArrayList<>();
            long skip = progress.windowsDone; // read once: the hook thread moves it on
            long unitNo = 0;
            try (OrderedCopy engine = new OrderedCopy(sourceFiles, 2, trail.hashing())) {
                // Only the image's own files are punched, never a shared backing file.
                for (HostFile f : sources) {
                    punchFds.add(own.contains(f.path().toAbsolutePath().normalize()) ? Linux.open(f.path().toString(), Linux.O_RDWR, 0) : null);
                }
                PieceSort.Piece next = pieces.next();
                for (; next != null; unitNo++) {
                    PieceSort.Piece first = next;
                    boolean copies = unitNo >= skip;
                    // the unit's recent files, each one target (its file is opened once a batch); a file whose
                    // pieces lie farther apart gets another target, opened again
                    Map<Long, Target> targets = new HashMap<>();
                    Ranges consumed = new Ranges();
                    for (PieceSort.Piece q = first; q != null && q.source() == first.source()
                            && q.sourceOffset() / unit == first.sourceOffset() / unit; q = next) {
                        next = pieces.next();
                        if (!copies) continue;
                        consumed.add(q.sourceOffset(), q.length());
                        if (q.punchOnly()) continue;
                        Target t = targets.get(q.record());
                        if (t == null) {
                            if (targets.size() >= TARGETS_KEPT) targets.clear();
                            t = new Target(destFd, plan.files.hostPath(q.record()), plan.evidence(q.file()));
                            targets.put(q.record(), t);
                        }
                        engine.piece(t, q.fileOffset(), q.length(), sources.get(q.source()), q.sourceOffset());
                    }
                    if (!copies) continue;
                    long done = unitNo + 1;
                    Fd punchFd = punchFds.get(first.source());
                    engine.unit(() -> {
                        Linux.syncfs(destFd);
                        sample();
                        progress.windowsDone = done;
                        progress.write(progressPath);
                        crash.reached("window:" + done);
                        if (punchFd != null) consumed.punch(punchFd);
                        sample();
                    });
                }
                engine.drain();
            } finally {
                for (Fd fd : punchFds) if (fd != null) fd.close();
            }
            return unitNo;
        }

        /** Targets remembered within a unit: as many files as one of the engine's batches names at most. */
        private static final int TARGETS_KEPT = 1024;

        /** A unit's consumed bytes, in image order, contiguous ranges merged as they come. */
        private static final class Ranges {
            private final List<long[]> ranges = new ArrayList<>();

            void add(long offset, long length) {
                long[] last = ranges.isEmpty() ? null : ranges.getLast();
                if (last != null && offset <= last[1]) last[1] = Math.max(last[1], offset + length);
                else ranges.add(new long[] {offset, offset + length});
            }

            /** Punches each range, rounded inward to the image's host blocks. */
            void punch(Fd fd) {
                long bs = Math.max(512, Linux.fstatfs(fd).blockSize());
                for (long[] r : ranges) {
                    long a = (r[0] + bs - 1) / bs * bs, b = r[1] / bs * bs;
                    if (b > a) Linux.punchHole(fd, a, b - a);
                }
            }
        }

        /** Free-space drop on DEST's filesystem since the first run began; the peak is kept across runs. */
        private void sample() {
            synchronized (progress) {
                long extra = progress.freeBefore - Detach.statfs(dest).bytesFree();
                if (extra > progress.peakExtra) progress.peakExtra = extra;
            }
        }

        /**
         * Metadata; and the hashes of a file whose bytes were not all hashed as they were copied (a
         * resumed run did not copy the units the killed one had punched; pieces too far out of order
         * fell back) from the file itself, synced and complete by now: the image's copy is punched.
         */
        private void finishFile(Fd destFd, PlannedFiles.File f, MetadataWriter metadata) {
            PendingEntry evidence = plan.evidence(f.number());
            Tally.Volume vf = f.dir().volume();
            try (Fd fd = BeneathPath.open(destFd, f.hostPath(), Linux.O_RDONLY, 0)) {
                FileHasher h = evidence.hasher();
                if (h != null) h.rehash((at, dst) -> preadFully(fd, at, dst)); // nothing to do once it is hashed
                metadata.apply(fd, f.node()).forEach(p -> report.error(vf, f.display().toString(), p, ErrorKind.HOST));
                evidence.done(f.extraction());
            } catch (IOException | RuntimeException e) {
                report.error(vf, f.display().toString(), e);
                evidence.fail(e);
            }
            if (plan.evidence != null) plan.evidence.set(f.number(), null); // its line is written: let it go
        }

        private static void preadFully(Fd fd, long at, ByteBuffer dst) {
            while (dst.hasRemaining()) {
                if (Linux.pread(fd, dst, at + dst.position()) <= 0) throw new HostException("DEST file ends before offset " + (at + dst.position()));
            }
        }
    }
}
