package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.host.HostFilesystem;
import io.vdetach.image.ConsumedMarker;
import io.vdetach.image.OpenOptions;
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
import io.vdetach.sys.StatFs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code detach --streaming}: for hosts that cannot share the image's blocks. The guest is
 * walked and planned whole first (its metadata is never punched, so a resumed run re-walks it),
 * every file is created at its size (holes stay holes), data that must be decoded is written
 * next (its source may lie anywhere), then the copied runs are written in one pass over the
 * image in offset order, window by window: copy, sync DEST, record the window in the progress
 * file, and only then punch the window's consumed bytes out of the image. The extra space
 * needed stays near one window instead of the whole data. Metadata, hard links and directory
 * times come last, then the image is deleted.
 */
public final class StreamingDetach {
    private StreamingDetach() {}

    /** Files held open at once while a window is copied. */
    private static final int OPEN_FILES = 256;

    /** A window smaller than this makes the per-window sync dominate. */
    public static final long MIN_WINDOW = 1L << 20;

    /** A planned file: where it lives beneath DEST and what goes into it. */
    private record Planned(Report.VolumeFigures vf, byte[] hostPath, String display, Node node, List<PlannedRun> runs,
                           Layer decoder, long size, Slack slack) {}

    /**
     * The rest of a file's last guest block after its end, where the image holds it: nobody else's
     * bytes (filesystems allocate whole blocks), so it is punched with the window that holds it.
     * Without it a tree of small files would keep one host block of the image per file.
     */
    private record Slack(HostFile source, long offset, long length) {}

    /** A COPY run cut at window boundaries: part of a file taken from one image file; or a slack, only punched. */
    private record Piece(int file, long fileOffset, long length, int source, long sourceOffset, boolean punchOnly)
            implements ImageReads.Piece {}

    public static Report run(Path imageArg, Path destArg, ExtractOptions o, long window, OpenOptions openOptions,
                             MountOptions mount) throws IOException {
        long t0 = System.nanoTime();
        if (window < MIN_WINDOW) throw new HostException("--window must be at least 1 MiB");
        Path dest = destArg.toAbsolutePath().normalize();
        Path progressPath = ProgressFile.pathFor(dest);
        Path image = imageArg.toAbsolutePath().normalize();
        if (Files.exists(image)) image = image.toRealPath();
        String consumer = ConsumedMarker.consumer(image);
        if (consumer != null && !consumer.equals(dest.toString())) throw ConsumedMarker.refusal(image, consumer);
        ProgressFile progress = ProgressFile.read(progressPath);
        if (progress != null && !progress.image.equals(image.toString())) {
            throw new HostException(progressPath + " records a streaming detach of another image (" + progress.image
                    + "); finish that one first");
        }
        if (!Files.exists(image)) {
            if (consumer != null && progress != null && progress.finished) return cleanUp(image, progressPath, dest, t0);
            throw new NoSuchFileException(image.toString());
        }
        boolean resume = consumer != null && progress != null;
        if (progress != null && consumer == null) {
            throw new HostException(progressPath + " exists but " + ConsumedMarker.sidecar(image)
                    + " does not: not a resumable run; remove the progress file if DEST is not needed");
        }
        Report report = new Report();
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
        try (OpenedImage img = OpenedImage.openConsumed(image, openOptions, mount)) {
            report.warnings.addAll(img.image().warnings());
            new StreamingDetach.Run(img, dest, o, window, progress, progressPath, resume, report).execute();
        }
        if (!report.errors.isEmpty()) {
            report.warn("the image was NOT deleted: " + report.errors.size() + " entries failed; its consumed parts are"
                    + " already punched out; " + ConsumedMarker.sidecar(image) + " and " + progressPath + " stay");
        } else {
            deleteImage(image, progressPath, progress, report);
        }
        report.seconds = (System.nanoTime() - t0) / 1e9;
        return report;
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
        p.freeBefore = statfs(dest).bytesFree();
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

    private static void deleteImage(Path image, Path progressPath, ProgressFile progress, Report report) throws IOException {
        progress.finished = true;
        progress.write(progressPath);
        haltIfAsked("finished");
        Path dir = image.getParent();
        Files.delete(image);
        report.deleted.add(image.toString());
        ProgressFile.fsync(dir, true);
        haltIfAsked("deleted");
        finishCleanUp(image, progressPath);
    }

    private static Report cleanUp(Path image, Path progressPath, Path dest, long t0) throws IOException {
        Report r = new Report();
        r.warn("the previous run had finished every file and deleted the image; removed its progress file and marker");
        finishCleanUp(image, progressPath);
        r.seconds = (System.nanoTime() - t0) / 1e9;
        return r;
    }

    private static void finishCleanUp(Path image, Path progressPath) throws IOException {
        Files.deleteIfExists(progressPath);
        ProgressFile.fsync(progressPath.getParent(), true);
        Files.deleteIfExists(ConsumedMarker.sidecar(image));
        ProgressFile.fsync(image.getParent(), true);
    }

    static StatFs statfs(Path dir) {
        try (Fd fd = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0)) {
            return Linux.fstatfs(fd);
        }
    }

    /** Test hook: VDETACH_TEST_HALT_AT=walked|materialised|window:K|finished|deleted stops the JVM there, as kill -9 would. */
    static void haltIfAsked(String point) {
        String at = System.getenv("VDETACH_TEST_HALT_AT");
        if (at != null && at.equals(point)) Runtime.getRuntime().halt(137);
    }

    /** One run of the command, after the progress file exists. */
    private static final class Run {
        private final OpenedImage img;
        private final Path dest;
        private final ExtractOptions o;
        private final ProgressFile progress;
        private final Path progressPath;
        private final boolean resume;
        private final Report report;
        private final List<Planned> files = new ArrayList<>();
        /** Bytes of the image per copy unit: half the window (see copyWindows), in 64 KiB steps. */
        private final long unit;

        Run(OpenedImage img, Path dest, ExtractOptions o, long window, ProgressFile progress, Path progressPath,
            boolean resume, Report report) {
            this.img = img;
            this.dest = dest;
            this.o = o;
            this.unit = Math.max(1L << 16, window / 2 >> 16 << 16);
            this.progress = progress;
            this.progressPath = progressPath;
            this.resume = resume;
            this.report = report;
        }

        void execute() throws IOException {
            try (Fd destFd = Linux.open(dest.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
                 SourceFiles sources = new SourceFiles()) {
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
                    walk(ctx);
                }
                report.reasons.putAll(totals.reasons());
                phase("walked and created " + files.size() + " files");
                haltIfAsked("walked");
                ContentWriter writer = new ContentWriter(sources, Mode.COPY, host.blockSize());
                if (!progress.materialised) {
                    materialise(destFd, writer);
                    Linux.syncfs(destFd);
                    progress.materialised = true;
                    progress.write(progressPath);
                    haltIfAsked("materialised");
                }
                sample();
                phase("decoded");
                copyWindows(destFd, sources);
                phase("copied " + report.windows + " windows");
                for (Planned f : files) finishFile(destFd, f, metadata);
                finisher.finish(destFd, builder, metadata, report);
                Linux.syncfs(destFd);
                phase("metadata, links, sync");
                sample();
                report.peakExtraSpace = progress.peakExtra;
                report.extraSpaceUsed = progress.freeBefore - statfs(dest).bytesFree();
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

        private void walk(VolumeExtraction.Context ctx) throws IOException {
            for (OpenedImage.Slot slot : Extractor.selected(img, o)) {
                Report.VolumeFigures vf = Extractor.begin(report, slot);
                if (vf == null) continue;
                GuestFilesystem fs = slot.filesystem();
                VolumeExtraction walk = new VolumeExtraction(ctx, fs, slot.volume().name(), o.volume() != null, vf)
                        .deferFilesTo((v, dir, name, display, node, runs, data, size) ->
                                plan(ctx, v, dir, name, display, node, runs, data, size, slackOf(data, size, fs.blockSize())));
                try {
                    TreeWalker.walk(fs, walk);
                } finally {
                    walk.releaseOpenDirectories();
                }
            }
        }

        /** Creates the file empty at its final size (so holes stay holes) and remembers its runs. */
        private void plan(VolumeExtraction.Context ctx, Report.VolumeFigures vf, DirHandle dir, byte[] name, String display,
                          Node node, List<PlannedRun> runs, Layer data, long size, Slack slack) {
            // A resumed run reuses the file it made before (its copied windows are in it), never O_EXCL.
            int flags = Linux.O_WRONLY | Linux.O_CREAT | Linux.O_NOFOLLOW | (resume ? 0 : Linux.O_EXCL);
            HostTreeBuilder.Created<Fd> created = ctx.builder().createWith(dir.fd, name, display, false,
                    n -> Linux.openat(dir.fd, n, flags, 0600));
            if (created == null) return;
            byte[] used = created.name();
            try (Fd fd = created.made()) {
                Linux.ftruncate(fd, size);
            }
            byte[] hostPath = VolumeExtraction.join(dir.hostPath, used);
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
            // io.vdetach.extent.Run by its full name: this class has its own Run.
            List<io.vdetach.extent.Run> last = data.map(size - 1, 1);
            if (last.size() != 1 || !(last.getFirst() instanceof io.vdetach.extent.Run.Mapped m)) return null;
            long rest = blockSize - size % blockSize;
            long from = m.offset() + 1;
            if (from + rest > m.target().size()) return null;
            List<io.vdetach.extent.Run> host = ExtentMaps.toHostFiles(m.target(), from, rest);
            if (host.size() != 1 || !(host.getFirst() instanceof io.vdetach.extent.Run.Mapped h)
                    || !(h.target() instanceof HostFile f)) return null;
            return new Slack(f, h.offset(), rest);
        }

        private Fd openFile(Fd destFd, Planned f, int flags) {
            return BeneathPath.open(destFd, f.hostPath(), flags, 0);
        }

        /** Compressed, resident or inline data: decoded through the guest layers before anything is punched. */
        private void materialise(Fd destFd, ContentWriter writer) throws IOException {
            for (Planned f : files) {
                if (f.decoder() == null) continue;
                List<PlannedRun> decode = f.runs().stream().filter(r -> r.kind() == RunClass.MATERIALISE).toList();
                try (Fd fd = openFile(destFd, f, Linux.O_WRONLY)) {
                    writer.write(fd, decode, f.decoder(), f.size(), false);
                }
            }
        }

        /** The image files whose bytes may be punched: the image's own, never a shared backing file. */
        private List<HostFile> sourcesOf(Map<HostFile, Integer> index) {
            List<HostFile> list = new ArrayList<>();
            for (Planned f : files) {
                for (PlannedRun r : f.runs()) {
                    if (r.source() != null && index.putIfAbsent(r.source(), list.size()) == null) list.add(r.source());
                }
                if (f.slack() != null && index.putIfAbsent(f.slack().source(), list.size()) == null) list.add(f.slack().source());
            }
            return list;
        }

        private List<Piece> pieces(Map<HostFile, Integer> index) {
            List<Piece> out = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                for (PlannedRun r : files.get(i).runs()) {
                    if (r.kind() != RunClass.COPY && r.kind() != RunClass.SHARE) continue;
                    int src = index.get(r.source());
                    long done = 0;
                    while (done < r.length()) {
                        long at = r.sourceOffset() + done;
                        long n = Math.min(r.length() - done, (at / unit + 1) * unit - at);
                        out.add(new Piece(i, r.fileOffset() + done, n, src, at, false));
                        done += n;
                    }
                }
                Slack slack = files.get(i).slack();
                if (slack != null) {
                    // Kept inside its own unit: a block shared in the guest (reflink) may hold another file's
                    // data there, which must be copied before anything of it is punched.
                    long n = Math.min(slack.length(), (slack.offset() / unit + 1) * unit - slack.offset());
                    out.add(new Piece(i, -1, n, index.get(slack.source()), slack.offset(), true));
                }
            }
            out.sort((a, b) -> a.source != b.source ? Integer.compare(a.source, b.source)
                    : Long.compare(a.sourceOffset, b.sourceOffset));
            return out;
        }

        private void copyWindows(Fd destFd, SourceFiles sourceFiles) throws IOException {
            Map<HostFile, Integer> index = new HashMap<>();
            List<HostFile> sources = sourcesOf(index);
            List<Piece> pieces = pieces(index);
            List<Path> own = img.image().ownFiles().stream().map(p -> p.toAbsolutePath().normalize()).toList();
            List<Fd> punchFd = new ArrayList<>();
            for (HostFile source : sources) {
                boolean mine = own.contains(source.path().toAbsolutePath().normalize());
                punchFd.add(mine ? Linux.open(source.path().toString(), Linux.O_RDWR, 0) : null);
            }
            // Copying window k+1 overlaps syncing and punching window k (a second thread): the unit is half the
            // window, so what is copied but not yet punched stays within one window.
            ExecutorService syncer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vdetach-sync");
                t.setDaemon(true);
                return t;
            });
            Future<?> inFlight = null;
            long skip = progress.windowsDone; // read once: the sync thread moves it on
            ImageReads reads = new ImageReads();
            for (HostFile f : sources) reads.add(sourceFiles.fd(f));
            BlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(READ_BUFFERS);
            for (int b = 0; b < READ_BUFFERS; b++) buffers.add(ImageReads.buffer());
            try {
                long windowNo = 0;
                int i = 0;
                while (i < pieces.size()) {
                    Piece first = pieces.get(i);
                    int j = i;
                    while (j < pieces.size() && pieces.get(j).source == first.source
                            && pieces.get(j).sourceOffset / unit == first.sourceOffset / unit) j++;
                    if (windowNo >= skip) {
                        List<Piece> w = pieces.subList(i, j);
                        copyWindow(destFd, w, reads, buffers);
                        await(inFlight);
                        long done = windowNo + 1;
                        Fd fd = punchFd.get(first.source);
                        int bs = blockSizeOf(sources.get(first.source));
                        inFlight = syncer.submit(() -> {
                            Linux.syncfs(destFd);
                            sample();
                            progress.windowsDone = done;
                            progress.write(progressPath);
                            haltIfAsked("window:" + done);
                            if (fd != null) punch(fd, w, bs);
                            sample();
                            return null;
                        });
                    }
                    windowNo++;
                    i = j;
                }
                await(inFlight);
                report.windows = windowNo;
            } finally {
                syncer.shutdownNow();
                try {
                    syncer.awaitTermination(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (Fd fd : punchFd) if (fd != null) fd.close();
                reads.close();
            }
        }

        private static void await(Future<?> f) throws IOException {
            if (f == null) return;
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HostException("interrupted");
            } catch (ExecutionException e) {
                switch (e.getCause()) {
                    case IOException io -> throw io;
                    case RuntimeException re -> throw re;
                    default -> throw new HostException(String.valueOf(e.getCause()), e.getCause());
                }
            }
        }

        /**
         * Copies a window's pieces in image order, in reads that span neighbours (direct where long),
         * writing long aligned pieces direct too: the page cache would hold every byte twice.
         */
        private void copyWindow(Fd destFd, List<Piece> w, ImageReads reads, BlockingQueue<ByteBuffer> buffers)
                throws IOException {
            List<Piece> parts = new ArrayList<>();
            for (Piece p : w) {
                if (!p.punchOnly) ImageReads.split(p, parts, (q, skip, n) -> new Piece(q.file, q.fileOffset + skip, n, q.source,
                        q.sourceOffset + skip, false));
            }
            List<ImageReads.Span> spans = ImageReads.spans(parts);
            // A reader thread keeps the next reads going while this one writes.
            BlockingQueue<Read> filled = new ArrayBlockingQueue<>(READ_BUFFERS);
            Thread reader = new Thread(() -> readAhead(spans, reads, buffers, filled), "vdetach-stream-reader");
            reader.setDaemon(true);
            reader.start();
            // Files are opened by path beneath DEST and kept open while recently used (a window may
            // touch more files than a process may hold open).
            Map<Integer, TargetFile> open = new LinkedHashMap<>(OPEN_FILES * 2, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, TargetFile> eldest) {
                    if (size() <= OPEN_FILES) return false;
                    eldest.getValue().close();
                    return true;
                }
            };
            try {
                for (ImageReads.Span sp : spans) {
                    Read r = filled.take();
                    if (r.failure() != null) throw r.failure();
                    try {
                        for (Piece p : parts.subList(sp.from(), sp.to())) {
                            TargetFile f = open.get(p.file);
                            if (f == null) {
                                f = new TargetFile(openFile(destFd, files.get(p.file), Linux.O_WRONLY));
                                open.put(p.file, f);
                            }
                            direct.write(f, r.buffer(), (int) (p.sourceOffset - r.start()), p.fileOffset, p.length);
                        }
                    } finally {
                        buffers.add(r.buffer());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HostException("interrupted");
            } finally {
                reader.interrupt();
                try {
                    reader.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // a failed window leaves read buffers behind: return them for the caller's next use
                for (Read r; (r = filled.poll()) != null; ) if (r.buffer() != null) buffers.add(r.buffer());
                for (TargetFile f : open.values()) f.close();
            }
        }

        /** A span read into {@code buffer} from image offset {@code start}, or why it could not be. */
        private record Read(ByteBuffer buffer, long start, RuntimeException failure) {}

        private static final int READ_BUFFERS = 3;

        /** Reader thread: the window's spans in order, buffered ones announced ahead. */
        private static void readAhead(List<ImageReads.Span> spans, ImageReads reads, BlockingQueue<ByteBuffer> buffers,
                                      BlockingQueue<Read> filled) {
            try {
                int announced = 0;
                for (int k = 0; k < spans.size(); k++) {
                    for (; announced < Math.min(spans.size(), k + READ_AHEAD); announced++) reads.advise(spans.get(announced));
                    ByteBuffer buf = buffers.take();
                    long start;
                    try {
                        start = reads.read(spans.get(k), buf);
                    } catch (RuntimeException | Error e) {
                        buffers.add(buf);
                        filled.put(new Read(null, 0, e instanceof RuntimeException r ? r : new HostException(String.valueOf(e), e)));
                        return;
                    }
                    filled.put(new Read(buf, start, null));
                }
            } catch (InterruptedException e) {
                // the window stopped
            }
        }

        /** Buffered reads announced ahead of the one in progress. */
        private static final int READ_AHEAD = 32;
        private final DirectWriter direct = new DirectWriter();

        private static int blockSizeOf(HostFile f) {
            return (int) Math.max(512, statfs(f.path().toAbsolutePath().getParent()).blockSize());
        }

        /** Punches the window's consumed bytes: contiguous ranges merged, then rounded inward to host blocks. */
        private static void punch(Fd fd, List<Piece> w, int bs) {
            long start = -1, end = -1;
            for (Piece p : w) {
                if (start >= 0 && p.sourceOffset <= end) {
                    end = Math.max(end, p.sourceOffset + p.length);
                    continue;
                }
                punchInward(fd, start, end, bs);
                start = p.sourceOffset;
                end = p.sourceOffset + p.length;
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
            long extra = progress.freeBefore - statfs(dest).bytesFree();
            if (extra > progress.peakExtra) progress.peakExtra = extra;
        }

        private void finishFile(Fd destFd, Planned f, MetadataWriter metadata) {
            report.copiedFile(f.vf(), f.size(), f.runs());
            try (Fd fd = openFile(destFd, f, Linux.O_RDONLY)) {
                for (String p : metadata.apply(fd, f.node())) report.error(f.vf(), f.display(), p);
            } catch (RuntimeException e) {
                report.error(f.vf(), f.display(), e.getMessage());
            }
        }
    }
}
