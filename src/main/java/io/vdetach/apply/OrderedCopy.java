package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.extent.HostFile;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one engine that copies image bytes into host files without sharing them: copy mode
 * ({@link CopiedFiles}), {@code detach --streaming} ({@link StreamingDetach}) and {@code dump}
 * ({@link Dump}). A producer hands over pieces (bytes of a target file taken from an image
 * file), which the engine cuts into batches; a planner thread sorts each batch's pieces by image
 * offset and merges neighbours into spans; two reader threads read the spans, two writer threads
 * write the pieces, and the writer that completes a batch releases its targets. Long reads and
 * writes bypass the page cache (O_DIRECT): on the measured host filling the cache cost more CPU
 * than the copy, and two requests in flight each way kept the device busy.
 *
 * <p>Batch policy: copy mode and dump hand over the whole plan as it comes, cut into batches
 * of at most {@link #batchFiles} files or 256 MiB; streaming also marks units ({@link #unit}:
 * half a window of the image, in image order), each with an after-unit hook run on the engine's
 * hook thread, in unit order, once every piece handed over before it is written (streaming:
 * syncfs, record progress, punch).
 *
 * <p>Hashing ({@code consumes}): after the writers, one consumer thread hands every piece to its
 * target ({@link Target#consumed}) in the order the spans were planned (image order), putting the
 * few chunks that two readers and two writers finish out of order back in order, and only then
 * gives the buffer back and counts the span done. A file stored front to back then reaches its
 * hasher in file order from one thread: nothing is copied or waited for; the buffers bound it.
 *
 * <p>Bounds. Open files: at most four batches hold their files (three handed over, one being
 * filled), each file up to two descriptors (the second for direct writes), so a batch names at
 * most a sixteenth of what the process may open. Written but not yet punched (streaming): with
 * two units in flight the producer starts handing over unit k+2 only once unit k's hook has run,
 * so at most two units (one window) are written and not punched, while unit k+1 is copied as
 * unit k is synced and punched.
 */
final class OrderedCopy implements AutoCloseable {
    /** Two requests in flight each way: the device measured 1.7x (reads) and 1.5x (writes) one request's rate. */
    private static final int READERS = 2, WRITERS = 2;
    private static final int BUFFERS = READERS + WRITERS + 2;
    /** Planned reads queued for the readers; the buffered ones among them are announced (fadvise WILLNEED). */
    private static final int READ_AHEAD = 64;
    private static final int BATCHES_IN_FLIGHT = 3;
    private static final long BATCH_BYTES = 256L << 20;
    private final int batchFiles = (int) Math.max(16, Math.min(1024, openFileLimit() / 16));

    /** The soft RLIMIT_NOFILE as /proc/self/limits reports it; 1024 when it cannot be read. */
    private static long openFileLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (!line.startsWith("Max open files")) continue;
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 1024;
    }

    /** A host file the engine writes pieces into. */
    interface Target {
        /** Its file for one batch's writes (a writer thread, on first need). */
        TargetFile open();

        /**
         * A batch naming this target is done: {@code file} is what {@link #open} gave it (null: none),
         * {@code last} when the producer {@link #end ended} the target in it or the run stopped,
         * {@code ok} false when the run stopped.
         */
        void release(TargetFile file, boolean last, boolean ok);

        /** A write failed (the file is marked failed): record it and go on, or throw to stop the run. */
        default void failed(RuntimeException e) {
            throw e;
        }

        /** True when blocks of zeros are left as holes instead of written (dump's OUT is sparse). */
        default boolean sparse() {
            return false;
        }

        /**
         * False for a target that only takes the bytes ({@link #consumed}): hashing the files share
         * mode clones. No file is opened for it; {@link #release} gets a null file.
         */
        default boolean writes() {
            return true;
        }

        /**
         * A piece's bytes (its remaining bytes, not to be kept), at {@code fileOffset} of the target,
         * after they are written (or instead, where the target does not write): for hashing. Called
         * only by an engine that consumes, from its one consumer thread, in image order.
         */
        default void consumed(ByteBuffer bytes, long fileOffset) { }
    }

    /** Runs after a unit: {@link #unit}. */
    @FunctionalInterface
    interface AfterUnit {
        void run() throws IOException;
    }

    /** A target's file for one batch, opened by the first writer that needs it. */
    private static final class Lease {
        final Target target;
        boolean last;
        volatile TargetFile opened;

        Lease(Target target) {
            this.target = target;
        }

        synchronized TargetFile file() {
            if (opened == null) opened = target.open();
            return opened;
        }
    }

    /** Bytes of one target taken from one image file. */
    private record Piece(Lease lease, long fileOffset, long length, int source, long sourceOffset) implements ImageReads.Piece {}

    private static final class Batch {
        /** By identity: a target may be a record whose equals would compare its runs. */
        final Map<Target, Lease> leases = new IdentityHashMap<>();
        final List<Piece> pieces = new ArrayList<>();
        long bytes;
        /** Spans not yet written. */
        final AtomicInteger pending = new AtomicInteger();
        final CountDownLatch written = new CountDownLatch(1);
        final AtomicBoolean released = new AtomicBoolean();
    }

    /**
     * A unit's hook, the batches it waits for (their latches only: a batch, its pieces and its
     * targets are let go once written, not kept until the hook runs), and whether it gives back a
     * unit slot.
     */
    private record After(AfterUnit hook, List<CountDownLatch> batches, boolean slot) {}

    /** A read the planner hands the readers; STOP_READ ends them. */
    private record SpanRead(ImageReads.Span span, List<Piece> pieces, Batch batch, long seq) {}

    /**
     * A span read into {@code buffer} from image offset {@code start}, for the writers (STOP_WRITE
     * ends them), then the consumer (STOP_WRITE from each writer ends it); {@code seq}: its place in
     * planning order.
     */
    private record Chunk(ByteBuffer buffer, long start, List<Piece> pieces, Batch batch, long seq) {}

    private static final Batch END = new Batch();
    private static final SpanRead STOP_READ = new SpanRead(null, List.of(), END, -1);
    private static final Chunk STOP_WRITE = new Chunk(null, 0, List.of(), END, -1);
    private static final After STOP = new After(null, List.of(), false);
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ImageReads.ALIGN).asReadOnlyBuffer();

    private final SourceFiles sources;
    private final Map<HostFile, Integer> sourceIndex = new IdentityHashMap<>();
    private final ImageReads images = new ImageReads();
    private final DirectWriter direct = new DirectWriter();
    private final Semaphore batchSlots = new Semaphore(BATCHES_IN_FLIGHT);
    /** Units handed over whose hook has not run yet; null: no units. */
    private final Semaphore unitSlots;
    private final BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(1);
    private final BlockingQueue<SpanRead> readTasks = new ArrayBlockingQueue<>(READ_AHEAD);
    private final BlockingQueue<Chunk> work = new ArrayBlockingQueue<>(BUFFERS);
    /** Written chunks for the consumer (only when consuming); as many as there are buffers. */
    private final BlockingQueue<Chunk> written = new ArrayBlockingQueue<>(BUFFERS + WRITERS);
    private final boolean consumes;
    private final BlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<After> afters = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Exception fatal;
    /** Thread time in reads, writes and releasing files, and how many reads went direct: printed with VDETACH_DEBUG. */
    private final LongAdder readNanos = new LongAdder(), writeNanos = new LongAdder(), consumeNanos = new LongAdder(),
            releaseNanos = new LongAdder(),
            reads = new LongAdder(), directReads = new LongAdder();
    /** Handed over and not yet released: close() releases them after a failure. */
    private final Set<Batch> unreleased = ConcurrentHashMap.newKeySet();
    private Batch current = new Batch();
    private List<CountDownLatch> sinceUnit = new ArrayList<>();
    private boolean holdsUnitSlot;

    /** @param unitsInFlight units handed over before the oldest one's hook must have run (streaming: 2); 0: no units */
    OrderedCopy(SourceFiles sources, int unitsInFlight) {
        this(sources, unitsInFlight, false);
    }

    /** @param consumes hand every piece to its target's {@link Target#consumed} in image order (hashing) */
    OrderedCopy(SourceFiles sources, int unitsInFlight, boolean consumes) {
        this.sources = sources;
        this.consumes = consumes;
        this.unitSlots = unitsInFlight > 0 ? new Semaphore(unitsInFlight) : null;
        for (int i = 0; i < BUFFERS; i++) buffers.add(ImageReads.buffer());
        threads.add(daemon("vdetach-planner", this::planLoop));
        for (int i = 0; i < READERS; i++) threads.add(daemon("vdetach-reader-" + i, this::readLoop));
        for (int i = 0; i < WRITERS; i++) threads.add(daemon("vdetach-writer-" + i, this::writeLoop));
        if (consumes) threads.add(daemon("vdetach-consumer", this::consumeLoop));
        threads.add(daemon("vdetach-after-unit", this::afterLoop));
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ---- the producer's side (one thread) ----

    /** Registers {@code t} in the batch being filled: from here on the engine releases it, whatever happens. */
    void add(Target t) throws IOException {
        lease(t);
    }

    /** Queues {@code length} bytes of {@code source} at {@code sourceOffset} for {@code t} at {@code fileOffset}. */
    void piece(Target t, long fileOffset, long length, HostFile source, long sourceOffset) throws IOException {
        if (current.bytes >= BATCH_BYTES) flush();
        Lease l = lease(t);
        int src = sourceIndex.computeIfAbsent(source, f -> images.add(sources.fd(f)));
        for (long done = 0, n; done < length; done += n) { // no piece longer than one read
            n = Math.min(ImageReads.SPAN, length - done);
            current.pieces.add(new Piece(l, fileOffset + done, n, src, sourceOffset + done));
        }
        current.bytes += length;
    }

    /** No more pieces for {@code t}: it is released as last once the batch now being filled is written. */
    void end(Target t) throws IOException {
        lease(t).last = true;
    }

    /**
     * Ends a unit: {@code hook} runs once everything handed over so far is written and the hooks
     * before it have run. The next unit's first piece waits for a unit slot.
     */
    void unit(AfterUnit hook) throws IOException {
        if (unitSlots == null) throw new IllegalStateException("units need an engine made with units in flight");
        flush();
        afters.add(new After(hook, sinceUnit, holdsUnitSlot));
        sinceUnit = new ArrayList<>();
        holdsUnitSlot = false;
    }

    private Lease lease(Target t) throws IOException {
        Lease l = current.leases.get(t);
        if (l != null) return l;
        rethrowFatal();
        if (current.leases.size() >= batchFiles) flush();
        try {
            if (unitSlots != null && !holdsUnitSlot) until(() -> unitSlots.tryAcquire(100, TimeUnit.MILLISECONDS));
        } catch (Stopped e) {
            throw stopped();
        }
        holdsUnitSlot = unitSlots != null;
        l = new Lease(t);
        current.leases.put(t, l);
        return l;
    }

    private void flush() throws IOException {
        if (current.leases.isEmpty()) return;
        try {
            until(() -> batchSlots.tryAcquire(100, TimeUnit.MILLISECONDS));
            Batch b = current;
            current = new Batch();
            unreleased.add(b);
            // Only a unit's hook waits for its batches: without units (copy mode, dump) a list of them
            // would grow to the end. It holds their latches, not the batches: a batch, and through its
            // leases every file's plan (1 KB a file), is garbage once written, also within a unit.
            if (unitSlots != null) sinceUnit.add(b.written);
            put(batches, b);
        } catch (Stopped e) {
            throw stopped();
        }
    }

    /** After the last piece: waits until every piece is written, every target released and every hook run. */
    void drain() throws IOException {
        long produced = System.nanoTime();
        flush();
        try {
            put(batches, END);
        } catch (Stopped e) {
            // rethrown below
        }
        afters.add(STOP);
        for (Thread t : threads) join(t);
        if (System.getenv("VDETACH_DEBUG") != null) {
            System.err.printf("ordered copy: %d reads %.2f s (%d direct), writes %.2f s (%d direct), consumed %.2f s,"
                            + " releasing files %.2f s (thread totals); producer ended %.2f s before the copy%n", reads.sum(),
                    readNanos.sum() / 1e9, directReads.sum(), writeNanos.sum() / 1e9, direct.writes.sum(), consumeNanos.sum() / 1e9,
                    releaseNanos.sum() / 1e9, (System.nanoTime() - produced) / 1e9);
        }
        rethrowFatal();
    }

    /** The producer's view of a stop: the failure that caused it. */
    private IOException stopped() throws IOException {
        rethrowFatal();
        return new IOException("interrupted");
    }

    private void rethrowFatal() throws IOException {
        switch (fatal) {
            case null -> { }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case Exception e -> throw new HostException(e.toString(), e);
        }
    }

    private void fail(Exception e) {
        if (fatal == null) fatal = e;
    }

    // ---- the engine's threads ----

    /** Planner: each batch's pieces sorted by image offset and merged into spans, queued for the readers. */
    private void planLoop() {
        run(() -> {
            long seq = 0;
            for (Batch b; (b = take(batches)) != END; ) {
                List<Piece> sorted = b.pieces;
                sorted.sort(Comparator.comparingInt(Piece::source).thenComparingLong(Piece::sourceOffset));
                List<ImageReads.Span> spans = ImageReads.spans(sorted);
                b.pending.set(spans.size());
                if (spans.isEmpty()) done(b, 0); // nothing to copy: release its targets (decoded or empty files) now
                for (ImageReads.Span sp : spans) {
                    // Announced as it is queued: the queued short reads are in flight while the readers catch up.
                    images.advise(sp);
                    put(readTasks, new SpanRead(sp, List.copyOf(sorted.subList(sp.from(), sp.to())), b, seq++));
                }
            }
            for (int i = 0; i < READERS; i++) put(readTasks, STOP_READ);
        });
    }

    private void readLoop() {
        run(() -> {
            while (true) {
                // The buffer first, then the next span: spans are then read in planning order, so the
                // consumer, which gives buffers back in that order, never waits for a span that waits for a buffer.
                ByteBuffer buf = take(buffers);
                SpanRead r;
                try {
                    r = take(readTasks);
                } catch (RuntimeException e) {
                    buffers.add(buf);
                    throw e;
                }
                if (r == STOP_READ) {
                    buffers.add(buf);
                    break;
                }
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
                put(work, new Chunk(buf, start, r.pieces(), r.batch(), r.seq()));
            }
            put(work, STOP_WRITE);
        });
    }

    private void writeLoop() {
        run(() -> {
            for (Chunk ch; (ch = take(work)) != STOP_WRITE; ) {
                long t0 = System.nanoTime();
                boolean handedOn = false;
                try {
                    write(ch);
                    if (consumes) {
                        put(written, ch);
                        handedOn = true;
                    }
                } finally {
                    writeNanos.add(System.nanoTime() - t0);
                    if (!handedOn) buffers.add(ch.buffer());
                }
                if (!consumes) done(ch.batch(), 1);
            }
            if (consumes) put(written, STOP_WRITE);
        });
    }

    /** Consumer: written chunks back in planning order, each piece to its target, then the buffer back. */
    private void consumeLoop() {
        run(() -> {
            java.util.PriorityQueue<Chunk> early = new java.util.PriorityQueue<>(Comparator.comparingLong(Chunk::seq));
            long next = 0;
            for (int stops = 0; stops < WRITERS; ) {
                Chunk ch = take(written);
                if (ch == STOP_WRITE) {
                    stops++;
                    continue;
                }
                early.add(ch);
                while (!early.isEmpty() && early.peek().seq() == next) {
                    Chunk c = early.poll();
                    long t0 = System.nanoTime();
                    try {
                        consume(c);
                    } finally {
                        consumeNanos.add(System.nanoTime() - t0);
                        buffers.add(c.buffer());
                    }
                    done(c.batch(), 1);
                    next++;
                }
            }
        });
    }

    private void consume(Chunk ch) {
        for (Piece p : ch.pieces()) {
            TargetFile f = p.lease().opened;
            if (f != null && f.failed) continue;
            int at = (int) (p.sourceOffset() - ch.start());
            p.lease().target.consumed(ch.buffer().slice(at, (int) p.length()), p.fileOffset());
        }
    }

    private void write(Chunk ch) {
        for (Piece p : ch.pieces()) {
            Target t = p.lease().target;
            int at = (int) (p.sourceOffset() - ch.start());
            if (!t.writes()) continue; // only consumed (hashed)
            TargetFile f = null;
            try {
                f = p.lease().file();
                if (f.failed) continue;
                if (t.sparse()) writeNonZero(f, ch.buffer(), at, p.fileOffset(), p.length());
                else direct.write(f, ch.buffer(), at, p.fileOffset(), p.length());
            } catch (RuntimeException e) {
                if (Abort.isFatal(e) || f == null) throw e;
                f.failed = true;
                t.failed(e);
            }
        }
    }

    /** Writes the piece but its host blocks of zeros, which stay holes (as {@code qemu-img convert} leaves them). */
    private void writeNonZero(TargetFile f, ByteBuffer buf, int at, long fileOffset, long length) {
        long run = -1; // where the data being gathered starts, in the piece
        for (long k = 0; k < length; ) {
            int n = (int) Math.min(length - k, ImageReads.ALIGN - (fileOffset + k) % ImageReads.ALIGN);
            boolean zero = buf.slice(at + (int) k, n).mismatch(ZEROS.slice(0, n)) < 0;
            if (zero && run >= 0) direct.write(f, buf, at + (int) run, fileOffset + run, k - run);
            if (zero) run = -1;
            else if (run < 0) run = k;
            k += n;
        }
        if (run >= 0) direct.write(f, buf, at + (int) run, fileOffset + run, length - run);
    }

    /** The writer that completes a batch releases its targets. */
    private void done(Batch b, int spans) {
        if (b.pending.addAndGet(-spans) != 0) return;
        long t0 = System.nanoTime();
        release(b, false);
        releaseNanos.add(System.nanoTime() - t0);
        b.written.countDown();
        batchSlots.release();
    }

    /** Releases a batch's targets once, whichever of done() and close() gets to it; goes on past a failure. */
    private void release(Batch b, boolean abandon) {
        if (!b.released.compareAndSet(false, true)) return;
        unreleased.remove(b);
        RuntimeException first = null;
        for (Lease l : b.leases.values()) {
            try {
                l.target.release(l.opened, l.last || abandon, !abandon && fatal == null);
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    /** Hook thread: each unit's hook, in order, once its batches are written. */
    private void afterLoop() {
        run(() -> {
            for (After a; (a = take(afters)) != STOP; ) {
                for (CountDownLatch w : a.batches()) until(() -> w.await(100, TimeUnit.MILLISECONDS));
                a.hook().run();
                if (a.slot()) unitSlots.release();
            }
        });
    }

    /** Thrown inside the engine's threads once another one has failed: they stop waiting. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private interface Body {
        void run() throws IOException;
    }

    /** An engine thread's body: its failure stops the others. */
    private void run(Body body) {
        try {
            body.run();
        } catch (Stopped e) {
            // another thread failed
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private interface Attempt {
        boolean succeeded() throws InterruptedException;
    }

    /** Retries a timed wait until it succeeds; stops when another thread has failed. */
    private void until(Attempt a) {
        try {
            while (!a.succeeded()) if (fatal != null) throw new Stopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    private <T> void put(BlockingQueue<T> q, T item) {
        until(() -> q.offer(item, 100, TimeUnit.MILLISECONDS));
    }

    private <T> T take(BlockingQueue<T> q) {
        List<T> got = new ArrayList<>(1);
        until(() -> {
            T t = q.poll(100, TimeUnit.MILLISECONDS);
            return t != null && got.add(t);
        });
        return got.getFirst();
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the threads; after a failure, releases every target given or opened (so DEST unmounts). */
    @Override
    public void close() {
        for (Thread t : threads) t.interrupt();
        for (Thread t : threads) join(t);
        List<Batch> left = new ArrayList<>(unreleased);
        left.add(current);
        for (Batch b : left) {
            try {
                release(b, true);
            } catch (RuntimeException e) {
                // the run has failed already; release went on past this, so every file is closed
            }
        }
        images.close();
    }
}
