package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.Node;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
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
import java.util.concurrent.TimeUnit;

/**
 * The copy engine for hosts that cannot share the image's blocks. Planned files arrive from
 * the walker in batches; the walker creates each file (and writes what must be decoded, as only
 * it may read the guest layers). A reader thread then reads each batch's bytes in image-offset
 * order, in large reads that span neighbouring runs, and a writer thread writes the pieces into
 * their files and finishes each file (size, metadata) once the batch is done. (Starting
 * write-back early from a third thread measured no faster: the kernel's own write-back and the
 * final syncfs keep the device as busy.)
 */
final class OrderedCopy implements VolumeExtraction.DeferredFiles, AutoCloseable {
    /** Largest single read. */
    static final int SPAN = 4 << 20;
    /** Runs closer than this in the image are read with the bytes between them (cheaper than a second read). */
    static final long GAP = 256 << 10;
    private static final int BUFFERS = 4;
    /**
     * Files per batch. Up to four batches hold their files open (being filled, queued, read,
     * written), so a batch may use an eighth of the descriptors this process may open.
     */
    private final int batchFiles = (int) Math.max(16, Math.min(1024, openFileLimit() / 8));

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
    private static final long BATCH_BYTES = 256L << 20;

    /** A created file waiting for its pieces; {@code failed} stops further writes into it. */
    private static final class Target {
        final Report.VolumeFigures vf;
        final DirHandle dir;
        final String display;
        final Node node;
        final List<PlannedRun> runs;
        final long size;
        final int fd;
        boolean failed;

        Target(Report.VolumeFigures vf, DirHandle dir, String display, Node node, List<PlannedRun> runs, long size, int fd) {
            this.vf = vf;
            this.dir = dir;
            this.display = display;
            this.node = node;
            this.runs = runs;
            this.size = size;
            this.fd = fd;
        }
    }

    /** Bytes of one target taken from one image file. */
    private record Piece(Target target, long fileOffset, long length, int source, long sourceOffset) {}

    /** What the reader hands the writer: a span read into a buffer with its pieces, or the end of a batch. */
    private sealed interface Work {}

    private record Chunk(ByteBuffer buffer, long start, List<Piece> pieces) implements Work {}

    private record BatchEnd(List<Target> targets) implements Work {}

    private record Batch(List<Target> targets, List<Piece> pieces) {}

    private record Stop() implements Work {}

    private final VolumeExtraction.Context c;
    private final SourceFiles sources;
    private final ContentWriter decoder;
    private final Map<HostFile, Integer> sourceIndex = new IdentityHashMap<>();
    private final List<Integer> sourceFds = new ArrayList<>();
    private final BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(1);
    private final BlockingQueue<Work> work = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(BUFFERS);
    private final Thread reader;
    private final Thread writer;
    private volatile RuntimeException fatal;
    /** Nanoseconds spent in reads, writes and finishing files; printed with VDETACH_DEBUG. */
    private long readNanos, writeNanos, finishNanos, reads;
    /** Every created file not finished yet: closed by close() when a failure stopped the run. */
    private final Set<Target> unfinished = ConcurrentHashMap.newKeySet();
    private List<Target> targets = new ArrayList<>();
    private List<Piece> pieces = new ArrayList<>();
    private long batchBytes;

    OrderedCopy(VolumeExtraction.Context c, SourceFiles sources, ContentWriter decoder) {
        this.c = c;
        this.sources = sources;
        this.decoder = decoder;
        for (int i = 0; i < BUFFERS; i++) buffers.add(ByteBuffer.allocateDirect(SPAN));
        reader = daemon("vdetach-reader", this::readLoop);
        writer = daemon("vdetach-writer", this::writeLoop);
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
        int[] fd = {-1};
        byte[] used = c.builder().create(dir.fd, name, display, false, n -> fd[0] = Linux.openat(dir.fd, n,
                Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL | Linux.O_NOFOLLOW, 0600));
        if (used == null) return;
        Target t = new Target(vf, dir.retain(), display, node, runs, size, fd[0]);
        unfinished.add(t);
        targets.add(t);
        if (node.nlink() > 1) c.finisher().firstName(vf, node.id(), VolumeExtraction.join(dir.hostPath, used));
        for (String note : node.notes()) c.report().warn(display + ": " + note);
        try {
            List<PlannedRun> decode = runs.stream().filter(r -> r.kind() == RunClass.MATERIALISE).toList();
            if (!decode.isEmpty()) decoder.write(t.fd, decode, data, size, false);
        } catch (VdetachException | IOException e) {
            if (Abort.isFatal(e)) throw e;
            t.failed = true;
            c.report().error(vf, display, e.getMessage());
        }
        for (PlannedRun r : runs) {
            if (r.kind() != RunClass.COPY && r.kind() != RunClass.SHARE) continue;
            int src = sourceIndex.computeIfAbsent(r.source(), f -> {
                sourceFds.add(sources.fd(f));
                return sourceFds.size() - 1;
            });
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
        put(batches, new Batch(targets, pieces));
        targets = new ArrayList<>();
        pieces = new ArrayList<>();
        batchBytes = 0;
    }

    /** Walker thread, after the walk: waits until every file is written and finished. */
    void drain() {
        try {
            flush();
            put(batches, new Batch(null, null));
        } catch (Stopped e) {
            // rethrown below
        }
        join(reader);
        join(writer);
        if (System.getenv("VDETACH_DEBUG") != null) {
            System.err.printf("ordered copy: %d reads %.2f s, writes %.2f s, finishing files %.2f s%n",
                    reads, readNanos / 1e9, writeNanos / 1e9, finishNanos / 1e9);
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

    private void readLoop() {
        try {
            while (true) {
                Batch b = take(batches);
                if (b.targets() == null) break;
                readBatch(b);
                put(work, new BatchEnd(b.targets()));
            }
            put(work, new Stop());
        } catch (Stopped e) {
            // another thread failed
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    /** One read: bytes [start, end) of a source, holding pieces [from, to) of the sorted list. */
    private record Span(int source, long start, long end, int from, int to) {}

    private void readBatch(Batch b) {
        List<Piece> sorted = new ArrayList<>(b.pieces().size());
        for (Piece p : b.pieces()) split(p, sorted);
        sorted.sort(Comparator.comparingInt(Piece::source).thenComparingLong(Piece::sourceOffset));
        List<Span> spans = spans(sorted);
        for (int k = 0; k < spans.size(); k++) {
            // The next reads are announced while this one runs, so the device always has work queued.
            for (int a = k == 0 ? 0 : k + AHEAD; a <= Math.min(k + AHEAD, spans.size() - 1); a++) advise(spans.get(a));
            Span sp = spans.get(k);
            ByteBuffer buf = take(buffers);
            buf.clear().limit((int) (sp.end() - sp.start()));
            int fd = sourceFds.get(sp.source());
            long t0 = System.nanoTime();
            reads++;
            while (buf.hasRemaining()) {
                if (Linux.pread(fd, buf, sp.start() + buf.position()) <= 0) {
                    buffers.add(buf);
                    throw new HostException("image file ends before offset " + (sp.start() + buf.position()));
                }
            }
            readNanos += System.nanoTime() - t0;
            put(work, new Chunk(buf, sp.start(), List.copyOf(sorted.subList(sp.from(), sp.to()))));
        }
    }

    /** Reads announced ahead of the one in progress (2, 4 and 8 measured alike; none was 20% slower). */
    private static final int AHEAD = 2;

    private void advise(Span sp) {
        try {
            Linux.fadvise(sourceFds.get(sp.source()), sp.start(), sp.end() - sp.start(), Linux.POSIX_FADV_WILLNEED);
        } catch (RuntimeException e) {
            // advice only
        }
    }

    /** Neighbouring pieces merged into reads of at most SPAN bytes, skipping gaps wider than GAP. */
    private static List<Span> spans(List<Piece> sorted) {
        List<Span> out = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            Piece first = sorted.get(i);
            long start = first.sourceOffset();
            long end = start + first.length();
            int j = i + 1;
            while (j < sorted.size()) {
                Piece p = sorted.get(j);
                if (p.source() != first.source() || p.sourceOffset() > end + GAP) break;
                long e = Math.max(end, p.sourceOffset() + p.length());
                if (e - start > SPAN) break;
                end = e;
                j++;
            }
            out.add(new Span(first.source(), start, end, i, j));
            i = j;
        }
        return out;
    }

    /** Pieces longer than one read are cut into read-sized parts. */
    private static void split(Piece p, List<Piece> out) {
        long done = 0;
        while (done < p.length()) {
            long n = Math.min(SPAN, p.length() - done);
            out.add(new Piece(p.target(), p.fileOffset() + done, n, p.source(), p.sourceOffset() + done));
            done += n;
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                Work w = take(work);
                switch (w) {
                    case Chunk ch -> {
                        long t0 = System.nanoTime();
                        try {
                            write(ch);
                        } finally {
                            writeNanos += System.nanoTime() - t0;
                            buffers.add(ch.buffer());
                        }
                    }
                    case BatchEnd end -> {
                        long t0 = System.nanoTime();
                        for (Target t : end.targets()) finish(t);
                        finishNanos += System.nanoTime() - t0;
                    }
                    case Stop s -> {
                        return;
                    }
                }
            }
        } catch (Stopped e) {
            // another thread failed
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void write(Chunk ch) {
        for (Piece p : ch.pieces()) {
            Target t = p.target();
            if (t.failed) continue;
            ByteBuffer slice = ch.buffer().slice((int) (p.sourceOffset() - ch.start()), (int) p.length());
            try {
                Linux.pwriteFully(t.fd, slice, p.fileOffset());
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
                if (ContentWriter.writtenEnd(t.runs) != t.size) Linux.ftruncate(t.fd, t.size);
                c.report().copiedFile(t.vf, t.size, t.runs);
                for (String p : c.metadata().apply(t.fd, t.node)) c.report().error(t.vf, t.display, p);
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
            Linux.close(t.fd);
            t.dir.release();
        }
    }

    /** Thrown inside the engine's threads once another one has failed: they stop waiting. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
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
        reader.interrupt();
        writer.interrupt();
        join(reader);
        join(writer);
        // After a failure: files that were created but never finished (DEST must be unmountable).
        for (Target t : unfinished) release(t);
    }
}
