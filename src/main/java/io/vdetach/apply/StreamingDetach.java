package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.HostException;
import io.vdetach.error.UsageException;
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
import java.nio.charset.StandardCharsets;
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
 * every file is created at its size (holes stay holes), data that must be decoded is written
 * next (its source may lie anywhere), then the copied runs go through the {@link OrderedCopy}
 * engine in one pass over the image in offset order, in units of half a window. After each
 * unit (the engine's after-unit hook, in unit order): sync DEST, record the unit in the progress
 * file, and only then punch the unit's consumed bytes out of the image. The engine lets the
 * next unit be copied while one is synced and punched, never more (two units in flight), so the
 * bytes copied but not yet punched — the extra space — stay within one window. Metadata, hard
 * links and directory times come last, then the image is deleted.
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
        try (OpenedImage img = r.image().openConsumedBy(dest)) {
            img.image().warnings().forEach(report::warn);
            new Consumption(img, dest, r.options(), window, progress, progressPath, resume, report, r.streaming().crashPoints()).execute();
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
        // The sidecar first: from now on every other command refuses the image.
        Path sidecar = ConsumedMarker.sidecar(image);
        Files.writeString(sidecar, dest + "\n", StandardCharsets.UTF_8);
        ProgressFile.fsync(sidecar, false);
        ProgressFile.fsync(image.getParent(), true);
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
        Files.deleteIfExists(ConsumedMarker.sidecar(image));
        ProgressFile.fsync(image.getParent(), true);
    }

    /** One run of the command, after the progress file exists. */
    private static final class Consumption {
        private final OpenedImage img;
        private final Path dest;
        private final ExtractOptions o;
        private final ProgressFile progress;
        private final Path progressPath;
        private final boolean resume;
        private final Tally report;
        private final CrashPoints crash;
        private final List<Planned> files = new ArrayList<>();
        /** Bytes of the image per unit: half the window (see the class comment), in 64 KiB steps. */
        private final long unit;
        private Fd destFd;

        Consumption(OpenedImage img, Path dest, ExtractOptions o, long window, ProgressFile progress, Path progressPath,
                    boolean resume, Tally report, CrashPoints crash) {
            this.img = img;
            this.dest = dest;
            this.o = o;
            this.unit = Math.max(1L << 16, window / 2 >> 16 << 16);
            this.progress = progress;
            this.progressPath = progressPath;
            this.resume = resume;
            this.report = report;
            this.crash = crash;
        }

        /** A planned file: where it lives beneath DEST and what goes into it; the engine reopens it for each batch. */
        private final class Planned extends OrderedCopy.Target {
            final Tally.Volume vf;
            final byte[] hostPath;
            final String display;
            final Node node;
            final List<PlannedRun> runs;
            /** The guest layer to decode from; null when nothing is decoded. */
            final Layer decoder;
            final long size;
            final Slack slack;

            Planned(Tally.Volume vf, byte[] hostPath, String display, Node node, List<PlannedRun> runs, Layer decoder,
                    long size, Slack slack) {
                this.vf = vf;
                this.hostPath = hostPath;
                this.display = display;
                this.node = node;
                this.runs = runs;
                this.decoder = decoder;
                this.size = size;
                this.slack = slack;
            }

            Fd open(int flags) {
                return BeneathPath.open(destFd, hostPath, flags, 0);
            }

            @Override
            TargetFile open() {
                return new TargetFile(open(Linux.O_WRONLY));
            }

            @Override
            void release(TargetFile file, boolean last, boolean ok) {
                if (file != null) file.close();
            }
        }

        /** A COPY run cut at unit boundaries: part of a file taken from one image file; or a slack, only punched. */
        private record Piece(Planned file, long fileOffset, long length, int source, long sourceOffset, boolean punchOnly) {}

        void execute() throws IOException {
            try (Fd destFd = Linux.open(dest.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
                 SourceFiles sources = new SourceFiles()) {
                this.destFd = destFd;
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
                Finisher finisher = new Finisher();
                Totals totals = new Totals();
                try (Workers none = new Workers(0, () -> new ContentWriter(sources, Mode.COPY, host.blockSize()))) {
                    VolumeExtraction.Context ctx = new VolumeExtraction.Context(destFd, o, report, classifier, metadata,
                            totals, false, builder, none, finisher);
                    for (OpenedImage.Slot slot : Extractor.selected(img, o.volume())) {
                        Extractor.walk(ctx, slot, o.volume() != null, (v, dir, name, display, node, runs, data, size) ->
                                plan(ctx, v, dir, name, display, node, runs, data, size,
                                        slackOf(data, size, slot.filesystem().blockSize())));
                    }
                }
                report.notShared(totals.reasons());
                phase("walked and created " + files.size() + " files");
                crash.reached("walked");
                if (!progress.materialised) {
                    materialise(new ContentWriter(sources, Mode.COPY, host.blockSize()));
                    Linux.syncfs(destFd);
                    progress.materialised = true;
                    progress.write(progressPath);
                    crash.reached("materialised");
                }
                sample();
                phase("decoded");
                long units = copyUnits(sources);
                phase("copied " + units + " units");
                for (Planned f : files) finishFile(f, metadata);
                finisher.finish(destFd, builder, metadata, report);
                Linux.syncfs(destFd);
                phase("metadata, links, sync");
                sample();
                report.streaming(units, progress.peakExtra);
                report.extraSpaceUsed(progress.freeBefore - Detach.statfs(dest).bytesFree());
            } finally {
                o.progress().done();
            }
        }

        private long lastPhase = System.nanoTime();

        /** With VDETACH_DEBUG: how long each phase took, on stderr. */
        private void phase(String what) {
            long now = System.nanoTime();
            if (System.getenv("VDETACH_DEBUG") != null) System.err.printf("streaming: %s in %.2f s%n", what, (now - lastPhase) / 1e9);
            lastPhase = now;
        }

        /** Creates the file empty at its final size (so holes stay holes) and remembers its runs. */
        private void plan(VolumeExtraction.Context ctx, Tally.Volume vf, DirHandle dir, byte[] name, String display,
                          Node node, List<PlannedRun> runs, Layer data, long size, Slack slack) {
            // A resumed run reuses the file it made before (its copied units are in it), never O_EXCL.
            int flags = Linux.O_WRONLY | Linux.O_CREAT | Linux.O_NOFOLLOW | (resume ? 0 : Linux.O_EXCL);
            HostTreeBuilder.Created<Fd> created = ctx.builder().createWith(dir.fd, name, display, false,
                    n -> Linux.openat(dir.fd, n, flags, 0600));
            if (created == null) return;
            try (Fd fd = created.made()) {
                Linux.ftruncate(fd, size);
            }
            byte[] hostPath = VolumeExtraction.join(dir.hostPath, created.name());
            if (node.nlink() > 1) ctx.finisher().firstName(vf, node.id(), hostPath);
            boolean decodes = runs.stream().anyMatch(r -> r.kind() == RunClass.MATERIALISE);
            files.add(new Planned(vf, hostPath, display, node, runs, decodes ? data : null, size, slack));
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

        /** Compressed, resident or inline data: decoded through the guest layers before anything is punched. */
        private void materialise(ContentWriter writer) throws IOException {
            for (Planned f : files) {
                if (f.decoder == null) continue;
                List<PlannedRun> decode = f.runs.stream().filter(r -> r.kind() == RunClass.MATERIALISE).toList();
                try (Fd fd = f.open(Linux.O_WRONLY)) {
                    writer.write(fd, decode, f.decoder, f.size, false);
                }
            }
        }

        /** The image files whose bytes are copied or punched, numbered in {@code index}. */
        private List<HostFile> sourcesOf(Map<HostFile, Integer> index) {
            List<HostFile> list = new ArrayList<>();
            for (Planned f : files) {
                for (PlannedRun r : f.runs) {
                    if (r.source() != null && index.putIfAbsent(r.source(), list.size()) == null) list.add(r.source());
                }
                if (f.slack != null && index.putIfAbsent(f.slack.source(), list.size()) == null) list.add(f.slack.source());
            }
            return list;
        }

        /** Every copied run and slack, cut at unit boundaries, in image order. */
        private List<Piece> pieces(Map<HostFile, Integer> index) {
            List<Piece> out = new ArrayList<>();
            for (Planned f : files) {
                for (PlannedRun r : f.runs) {
                    if (r.kind() != RunClass.COPY && r.kind() != RunClass.SHARE) continue;
                    int src = index.get(r.source());
                    long done = 0;
                    while (done < r.length()) {
                        long at = r.sourceOffset() + done;
                        long n = Math.min(r.length() - done, (at / unit + 1) * unit - at);
                        out.add(new Piece(f, r.fileOffset() + done, n, src, at, false));
                        done += n;
                    }
                }
                if (f.slack != null) {
                    // Kept inside its own unit: a block shared in the guest (reflink) may hold another file's
                    // data there, which must be copied before anything of it is punched.
                    long n = Math.min(f.slack.length(), (f.slack.offset() / unit + 1) * unit - f.slack.offset());
                    out.add(new Piece(f, -1, n, index.get(f.slack.source()), f.slack.offset(), true));
                }
            }
            out.sort((a, b) -> a.source() != b.source() ? Integer.compare(a.source(), b.source())
                    : Long.compare(a.sourceOffset(), b.sourceOffset()));
            return out;
        }

        /**
         * Hands the pieces to the engine unit by unit (units recorded as done by an earlier run are
         * skipped); after each unit: sync, record, punch. Returns the number of units.
         */
        private long copyUnits(SourceFiles sourceFiles) throws IOException {
            Map<HostFile, Integer> index = new HashMap<>();
            List<HostFile> sources = sourcesOf(index);
            List<Piece> pieces = pieces(index);
            List<Path> own = img.image().ownFiles().stream().map(p -> p.toAbsolutePath().normalize()).toList();
            // Only the image's own files are punched, never a shared backing file.
            List<Fd> punchFds = new ArrayList<>();
            List<Integer> blockSizes = new ArrayList<>();
            long skip = progress.windowsDone; // read once: the hook thread moves it on
            long unitNo = 0;
            try (OrderedCopy engine = new OrderedCopy(sourceFiles, 2)) {
                for (HostFile source : sources) {
                    boolean mine = own.contains(source.path().toAbsolutePath().normalize());
                    punchFds.add(mine ? Linux.open(source.path().toString(), Linux.O_RDWR, 0) : null);
                    blockSizes.add((int) Math.max(512, Detach.statfs(source.path().toAbsolutePath().getParent()).blockSize()));
                }
                for (int i = 0, j; i < pieces.size(); i = j, unitNo++) {
                    Piece first = pieces.get(i);
                    j = i;
                    while (j < pieces.size() && pieces.get(j).source() == first.source()
                            && pieces.get(j).sourceOffset() / unit == first.sourceOffset() / unit) j++;
                    if (unitNo < skip) continue;
                    List<Piece> u = pieces.subList(i, j);
                    for (Piece p : u) {
                        if (!p.punchOnly()) engine.piece(p.file(), p.fileOffset(), p.length(), sources.get(p.source()), p.sourceOffset());
                    }
                    long done = unitNo + 1;
                    Fd punchFd = punchFds.get(first.source());
                    int bs = blockSizes.get(first.source());
                    engine.unit(() -> {
                        Linux.syncfs(destFd);
                        sample();
                        progress.windowsDone = done;
                        progress.write(progressPath);
                        crash.reached("window:" + done);
                        if (punchFd != null) punch(punchFd, u, bs);
                        sample();
                    });
                }
                engine.drain();
            } finally {
                for (Fd fd : punchFds) if (fd != null) fd.close();
            }
            return unitNo;
        }

        /** Punches a unit's consumed bytes: contiguous ranges merged, then rounded inward to host blocks. */
        private static void punch(Fd fd, List<Piece> u, int bs) {
            long start = -1, end = -1;
            for (Piece p : u) {
                if (start >= 0 && p.sourceOffset() <= end) {
                    end = Math.max(end, p.sourceOffset() + p.length());
                    continue;
                }
                punchInward(fd, start, end, bs);
                start = p.sourceOffset();
                end = p.sourceOffset() + p.length();
            }
            punchInward(fd, start, end, bs);
        }

        private static void punchInward(Fd fd, long start, long end, int bs) {
            if (start < 0) return;
            long a = (start + bs - 1) / bs * bs;
            long b = end / bs * bs;
            if (b > a) Linux.punchHole(fd, a, b - a);
        }

        /** Free-space drop on DEST's filesystem since the first run began; the peak is kept across runs. */
        private synchronized void sample() {
            long extra = progress.freeBefore - Detach.statfs(dest).bytesFree();
            if (extra > progress.peakExtra) progress.peakExtra = extra;
        }

        private void finishFile(Planned f, MetadataWriter metadata) {
            report.copiedFile(f.vf, f.size, f.runs);
            try (Fd fd = f.open(Linux.O_RDONLY)) {
                metadata.apply(fd, f.node).forEach(p -> report.error(f.vf, f.display, p, ErrorKind.HOST));
            } catch (RuntimeException e) {
                report.error(f.vf, f.display, e);
            }
        }
    }
}
