package io.vdetach.apply;

import io.vdetach.error.VdetachException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.Node;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The copy engine for hosts that cannot share the image's blocks. Planned files arrive from
 * the walker in batches; the walker creates each file (and writes what must be decoded, as only
 * it may read the guest layers). A planner thread sorts each batch's pieces by image offset and
 * merges neighbours into spans; two reader threads read the spans, two writer threads write the
 * pieces into their files, and the writer that completes a batch finishes its files (size,
 * metadata). Long reads and writes bypass the page cache (O_DIRECT): on the measured host filling
 * the cache cost more CPU than the copy, and two requests in flight each way kept the device busy.
 * (Starting write-back early from another thread measured no faster.)
 */
final class OrderedCopy implements VolumeExtraction.DeferredFiles, AutoCloseable {
    /** Two requests in flight each way: the device measured 1.7x (reads) and 1.5x (writes) one request's rate. */
    private static final int READERS = 2, WRITERS = 2;
    private static final int BUFFERS = READERS + WRITERS + 2;
    /** Planned reads queued for the readers; the buffered ones among them are announced (fadvise WILLNEED). */
    private static final int READ_AHEAD = 64;
    /** Batches handed over and not yet finished; with the one being filled, at most four hold their files open. */
    private static final int BATCHES_IN_FLIGHT = 3;
    /**
     * Files per batch. Four batches hold their files open, each file up to two descriptors (the
     * second for direct writes), so a batch may use a sixteenth of what this process may open.
     */
    private final int batchFiles = (int) Math.max(16, Math.min(1024, openFileLimit() / 16));
    private final Semaphore batchSlots = new Semaphore(BATCHES_IN_FLIGHT);
    private static final long BATCH_BYTES = 256L << 20;

    /** The soft RLIMIT_NOFILE as /proc/self/limits reports it; 1024 when it cannot be read. */
    private static long openFileLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (!line.startsWith("Max open files")) continue;
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return 1024;
    }

    /** A created file waiting for its pieces; {@code failed} stops further writes into it. */
    private static final class Target {
        final Report.VolumeFigures vf;
        final DirHandle dir;
        final String display;
        final Node node;
        final List<PlannedRun> runs;
        final long size;
        final TargetFile file;
        volatile boolean failed;

        Target(Report.VolumeFigures vf, DirHandle dir, String display, Node node, List<PlannedRun> runs, long size, Fd fd) {
            this.vf = vf;
            this.dir = dir;
            this.display = display;
            this.node = node;
            this.runs = runs;
            this.size = size;
            this.file = new TargetFile(fd);
        }
    }

    /** Bytes of one target taken from one image file. */
    private record Piece(Target target, long fileOffset, long length, int source, long sourceOffset) implements ImageReads.Piece {}

    private record Batch(List<Target> targets, List<Piece> pieces) {}

    /** A batch being copied: its files are finished once every one of its reads has been written. */
    private record BatchState(List<Target> targets, AtomicInteger pending) {}

    /** What the planner hands the readers, and the readers the writers. */
    private sealed interface Work {}

    private record SpanRead(ImageReads.Span span, List<Piece> pieces, BatchState batch) implements Work {}

    private record Chunk(ByteBuffer buffer, long start, List<Piece> pieces, BatchState batch) implements Work {}

    /** Follows a batch's reads: counts as one of its pending items, so an empty batch is finished too. */
    private record BatchDone(BatchState batch) implements Work {}

    private record Stop() implements Work {}

    private final VolumeExtraction.Context c;
    private final SourceFiles sources;
    private final ContentWriter decoder;
    private final Map<HostFile, Integer> sourceIndex = new IdentityHashMap<>();
    private final ImageReads images = new ImageReads();
    private final DirectWriter direct = new DirectWriter();
    private final BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(1);
    private final BlockingQueue<Work> readTasks = new ArrayBlockingQueue<>(READ_AHEAD);
    private final BlockingQueue<Work> work = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(BUFFERS);
    private final List<Thread> threads = new ArrayList<>();
    private volatile RuntimeException fatal;
    /** Time spent in reads, writes and finishing files, and how many went direct; printed with VDETACH_DEBUG. */
    private final LongAdder readNanos = new LongAdder(), writeNanos = new LongAdder(), finishNanos = new LongAdder(),
            reads = new LongAdder(), directReads = new LongAdder();
    /** Every created file not finished yet: closed by close() when a failure stopped the run. */
    private final Set<Target> unfinished = ConcurrentHashMap.newKeySet();
    private List<Target> targets = new ArrayList<>();
    private List<Piece> pieces = new ArrayList<>();
    private long batchBytes;

    OrderedCopy(VolumeExtraction.Context c, SourceFiles sources, ContentWriter decoder) {
        this.c = c;
        this.sources = sources;
        this.decoder = decoder;
        for (int i = 0; i < BUFFERS; i++) buffers.add(ImageReads.buffer());
        threads.add(daemon("vdetach-planner", this::planLoop));
        for (int i = 0; i < READERS; i++) threads.add(daemon("vdetach-reader-" + i, this::readLoop));
        for (int i = 0; i < WRITERS; i++) threads.add(daemon("vdetach-writer-" + i, this::writeLoop));
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Walker thread: creates the file, decodes what must be decoded, queues its copies. */
    @Override
    public void file(Report.VolumeFigures vf, DirHandle dir, byte[] name, String display, Node node, List<PlannedRun> runs,
                     Layer data, long size) throws IOException {
        rethrowFatal();
        HostTreeBuilder.Created<Fd> created = c.builder().createWith(dir.fd, name, display, false, VolumeExtraction.newFileIn(dir.fd));
        if (created == null) return;
        byte[] used = created.name();
        Target t = new Target(vf, dir.retain(), display, node, runs, size, created.made());
        unfinished.add(t);
        targets.add(t);
        if (node.nlink() > 1) c.finisher().firstName(vf, node.id(), VolumeExtraction.join(dir.hostPath, used));
        for (String note : node.notes()) c.report().warn(display + ": " + note);
        try {
            List<PlannedRun> decode = runs.stream().filter(r -> r.kind() == RunClass.MATERIALISE).toList();
            if (!decode.isEmpty()) decoder.write(t.file.fd, decode, data, size, false);
        } catch (VdetachException | IOException e) {
            if (Abort.isFatal(e)) throw e;
            t.failed = true;
            c.report().error(vf, display, e.getMessage());
        }
        for (PlannedRun r : runs) {
            if (r.kind() != RunClass.COPY && r.kind() != RunClass.SHARE) continue;
            int src = sourceIndex.computeIfAbsent(r.source(), f -> images.add(sources.fd(f)));
            pieces.add(new Piece(t, r.fileOffset(), r.length(), src, r.sourceOffset()));
            batchBytes += r.length();
        }
        if (targets.size() >= batchFiles || batchBytes >= BATCH_BYTES) {
            try {
                flush();
            } catch (Stopped e) {
                rethrowFatal();
            }
        }
    }

    private void flush() {
        if (targets.isEmpty()) return;
        acquire(batchSlots);
        put(batches, new Batch(targets, pieces));
        targets = new ArrayList<>();
        pieces = new ArrayList<>();
        batchBytes = 0;
    }

    /** Walker thread, after the walk: waits until every file is written and finished. */
    void drain() {
        long walked = System.nanoTime();
        try {
            flush();
            put(batches, new Batch(null, null));
        } catch (Stopped e) {
            // rethrown below
        }
        for (Thread t : threads) join(t);
        if (System.getenv("VDETACH_DEBUG") != null) {
            System.err.printf("ordered copy: %d reads %.2f s (%d direct), writes %.2f s (%d direct), finishing files %.2f s"
                            + " (thread totals); walk ended %.2f s before the copy%n", reads.sum(), readNanos.sum() / 1e9,
                    directReads.sum(), writeNanos.sum() / 1e9, direct.writes.sum(), finishNanos.sum() / 1e9,
                    (System.nanoTime() - walked) / 1e9);
        }
        rethrowFatal();
    }

    private void rethrowFatal() {
        RuntimeException e = fatal;
        if (e != null) throw e;
    }

    private void fail(RuntimeException e) {
        if (fatal == null) fatal = e;
    }

    /** Planner thread: each batch's pieces sorted by image offset and merged into spans, queued for the readers. */
    private void planLoop() {
        try {
            while (true) {
                Batch b = take(batches);
                if (b.targets() == null) break;
                plan(b);
            }
            for (int i = 0; i < READERS; i++) put(readTasks, new Stop());
        } catch (Stopped e) {
            // another thread failed
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void plan(Batch b) {
        List<Piece> sorted = new ArrayList<>(b.pieces().size());
        for (Piece p : b.pieces()) {
            ImageReads.split(p, sorted, (w, skip, n) -> new Piece(w.target(), w.fileOffset() + skip, n, w.source(), w.sourceOffset() + skip));
        }
        sorted.sort(Comparator.comparingInt(Piece::source).thenComparingLong(Piece::sourceOffset));
        List<ImageReads.Span> spans = ImageReads.spans(sorted);
        BatchState state = new BatchState(b.targets(), new AtomicInteger(spans.size() + 1));
        for (ImageReads.Span sp : spans) {
            // Announced as it is queued: the queued short reads are in flight while the readers catch up.
            images.advise(sp);
            put(readTasks, new SpanRead(sp, List.copyOf(sorted.subList(sp.from(), sp.to())), state));
        }
        put(readTasks, new BatchDone(state));
    }

    private void readLoop() {
        try {
            while (true) {
                switch (take(readTasks)) {
                    case SpanRead r -> {
                        ByteBuffer buf = take(buffers);
                        long t0 = System.nanoTime();
                        long start;
                        try {
                            start = images.read(r.span(), buf);
                        } catch (RuntimeException e) {
                            buffers.add(buf);
                            throw e;
                        }
                        readNanos.add(System.nanoTime() - t0);
                        reads.increment();
                        if (images.direct(r.span())) directReads.increment();
                        put(work, new Chunk(buf, start, r.pieces(), r.batch()));
                    }
                    case Stop s -> {
                        put(work, s);
                        return;
                    }
                    case Work w -> put(work, w);
                }
            }
        } catch (Stopped e) {
            // another thread failed
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                switch (take(work)) {
                    case Chunk ch -> {
                        long t0 = System.nanoTime();
                        try {
                            write(ch);
                        } finally {
                            writeNanos.add(System.nanoTime() - t0);
                            buffers.add(ch.buffer());
                        }
                        done(ch.batch());
                    }
                    case BatchDone d -> done(d.batch());
                    case Stop s -> {
                        return;
                    }
                    case SpanRead r -> throw new IllegalStateException("unread span");
                }
            }
        } catch (Stopped e) {
            // another thread failed
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    /** The writer that completes a batch finishes its files. */
    private void done(BatchState batch) {
        if (batch.pending().decrementAndGet() != 0) return;
        long t0 = System.nanoTime();
        for (Target t : batch.targets()) finish(t);
        finishNanos.add(System.nanoTime() - t0);
        batchSlots.release();
    }

    private void write(Chunk ch) {
        for (Piece p : ch.pieces()) {
            Target t = p.target();
            if (t.failed) continue;
            try {
                direct.write(t.file, ch.buffer(), (int) (p.sourceOffset() - ch.start()), p.fileOffset(), p.length());
            } catch (RuntimeException e) {
                if (Abort.isFatal(e)) throw e;
                t.failed = true;
                c.report().error(t.vf, t.display, e.getMessage());
            }
        }
    }

    /** Size (a final hole), metadata, close; the file counts in the report only once it is whole. */
    private void finish(Target t) {
        try {
            if (!t.failed && fatal == null) {
                if (ContentWriter.writtenEnd(t.runs) != t.size) Linux.ftruncate(t.file.fd, t.size);
                c.report().copiedFile(t.vf, t.size, t.runs);
                for (String p : c.metadata().apply(t.file.fd, t.node)) c.report().error(t.vf, t.display, p);
                // The walk is long over while the copy goes on: the progress line follows the writes.
                Report r = c.report();
                c.options().progress().update(r.files, r.bytesTotal, r.bytesShared);
            }
        } catch (RuntimeException e) {
            if (Abort.isFatal(e)) throw e;
            c.report().error(t.vf, t.display, e.getMessage());
        } finally {
            release(t);
        }
    }

    /** Closes a target once, whichever of finish() and close() gets to it. */
    private void release(Target t) {
        if (unfinished.remove(t)) {
            t.file.close();
            t.dir.release();
        }
    }

    /** Thrown inside the engine's threads once another one has failed: they stop waiting. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private void acquire(Semaphore slots) {
        try {
            while (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (fatal != null) throw new Stopped();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    private <T> void put(BlockingQueue<T> q, T item) {
        try {
            while (!q.offer(item, 100, TimeUnit.MILLISECONDS)) {
                if (fatal != null) throw new Stopped();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    private <T> T take(BlockingQueue<T> q) {
        try {
            while (true) {
                T t = q.poll(100, TimeUnit.MILLISECONDS);
                if (t != null) return t;
                if (fatal != null) throw new Stopped();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Thread t : threads) t.interrupt();
        for (Thread t : threads) join(t);
        // After a failure: files that were created but never finished (DEST must be unmountable).
        for (Target t : unfinished) release(t);
        images.close();
    }
}
