package io.vdetach.evidence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hashes of one file's content, fed with pieces of its data as they are written, in whatever
 * order they come: a piece at the offset hashed so far is hashed at once (then the pieces held
 * behind it); one further on waits while another thread hashes the bytes before it, else is
 * copied and held; the holes between the data ranges are hashed as
 * the zeros they read as. Pieces may come from several threads; one of them hashes at a time,
 * outside the lock. When the held pieces of all files would pass the run's {@link HoldBudget},
 * this file gives up its pieces and is hashed again after the run ({@link #rehash}), in file
 * order, from its content.
 *
 * <p>The listener hears {@link Listener#finished} exactly once: with the hashes, or when the
 * file is {@link #abandon abandoned} (its extraction failed).
 */
public final class FileHasher {
    /** Bytes {@code [offset, offset + length)} of the file that hold data; everything else is a hole. */
    public record Range(long offset, long length) {}

    /** Reads bytes of the file's content (a guest layer, or the extracted file) into {@code dst}, filling it. */
    @FunctionalInterface
    public interface Source {
        void readFully(long offset, ByteBuffer dst) throws IOException;
    }

    public interface Listener {
        /** Pieces came too far out of order: call {@link #rehash} once the run's writes are over. */
        void fellBack(FileHasher h);

        /** Hashed ({@link #hashes()}), or abandoned (null hashes). */
        void finished(FileHasher h);
    }

    private enum State { FEEDING, FALLEN_BACK, DONE, ABANDONED }

    private static final int READ = 1 << 20;

    private final List<Digests.Algorithm> algorithms;
    private final long size;
    private final List<Range> data;
    private final HoldBudget budget;
    private final Listener listener;
    /** Pieces that came before their turn, by offset; made for the first (most files never need it). */
    private TreeMap<Long, ByteBuffer> held;
    /**
     * Made when the first byte is hashed and dropped once the hashes are out: a streaming detach
     * keeps a hasher for every planned file until the copy reaches it, and three digests' state is
     * about 1.1 KiB a file (measured: 279 MiB of live heap at 100,000 files before, see
     * docs/benchmarks.md). Only the thread holding {@link #busy} touches it.
     */
    private Digests digests;
    private State state = State.FEEDING;
    /** Bytes [0, next) are hashed; only the thread that set {@link #busy} moves it on. */
    private long next;
    /** Index of the first data range that ends after {@code next}. */
    private int range;
    private boolean busy;
    private long heldBytes;
    /** The digests once finished: raw, not hex in a map (a third of the size; a streaming detach holds them until its finish step). */
    private byte[][] result;

    /** @param data the file's data ranges in order, not overlapping, inside {@code [0, size)} */
    public FileHasher(List<Digests.Algorithm> algorithms, long size, List<Range> data, HoldBudget budget, Listener listener) {
        this.algorithms = List.copyOf(algorithms);
        this.size = size;
        this.data = List.copyOf(data);
        this.budget = budget;
        this.listener = listener;
    }

    private Digests digests() {
        if (digests == null) digests = new Digests(algorithms);
        return digests;
    }

    public long size() { return size; }

    /** The hashes ("sha256" &rarr; hex), once finished; null when abandoned or not finished. */
    public synchronized Map<String, String> hashes() { return result == null ? null : Digests.hex(algorithms, result); }

    public synchronized boolean fellBack() { return state == State.FALLEN_BACK; }

    /** Hashes the zeros before the first data range; a file without data finishes here. Call once, before any piece. */
    public void start() {
        synchronized (this) {
            if (busy || next != 0 || state != State.FEEDING) throw new IllegalStateException("started twice");
            busy = true;
        }
        fedUpTo(0);
    }

    /**
     * Offers bytes of the file at {@code fileOffset} (the buffer's remaining bytes; its position is
     * left alone). While another thread hashes the bytes before them, this one waits for it instead
     * of copying them: a file read in order by two threads is then hashed piece after piece, not
     * piled up. That thread never waits for anything, so the wait ends.
     */
    public void offer(long fileOffset, ByteBuffer bytes) {
        if (!bytes.hasRemaining()) return;
        boolean fellBack = false;
        synchronized (this) {
            while (busy && state == State.FEEDING && fileOffset > next) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (state != State.FEEDING || fileOffset + bytes.remaining() <= next) return;
            if (busy || fileOffset > next) {
                fellBack = !hold(fileOffset, bytes);
                if (!fellBack) return;
            } else {
                busy = true;
            }
        }
        if (fellBack) {
            listener.fellBack(this);
            return;
        }
        feed(fileOffset, bytes, 0);
    }

    /** Hashes {@code bytes} at {@code at} (the part before {@code next} skipped) and everything held behind it. */
    private void feed(long at, ByteBuffer bytes, long giveBack) {
        long pos = at;
        ByteBuffer b = bytes;
        long give = giveBack;
        while (true) {
            ByteBuffer part = b.duplicate();
            long end = pos + part.remaining();
            long skip = next - pos;
            if (skip > 0) part.position(part.position() + (int) skip);
            digests().update(part);
            if (give > 0) budget.give(give);
            Map.Entry<Long, ByteBuffer> nextHeld = fedUpTo(end);
            if (nextHeld == null) return;
            pos = nextHeld.getKey();
            b = nextHeld.getValue();
            give = b.remaining();
        }
    }

    /**
     * Records that [0, end) is hashed, hashes the hole after it, and returns the held piece that
     * continues there (taken out of the held ones), or null after letting go of {@code busy}
     * (and finishing when the whole file is hashed). The caller holds {@code busy}.
     */
    private Map.Entry<Long, ByteBuffer> fedUpTo(long end) {
        long zeros;
        synchronized (this) {
            next = Math.max(next, end);
            zeros = holeAfter();
            notifyAll();
        }
        if (zeros > 0) {
            digests().zeros(zeros);
            synchronized (this) {
                next += zeros;
                notifyAll();
            }
        }
        boolean finished = false;
        synchronized (this) {
            if (state != State.FEEDING) {
                busy = false;
                notifyAll();
                return null;
            }
            while (held != null && !held.isEmpty()) {
                Map.Entry<Long, ByteBuffer> e = held.firstEntry();
                long eEnd = e.getKey() + e.getValue().remaining();
                if (e.getKey() > next) break;
                held.pollFirstEntry();
                heldBytes -= e.getValue().remaining();
                if (eEnd > next) return e; // still busy: the caller hashes it
                budget.give(e.getValue().remaining());
            }
            busy = false;
            notifyAll();
            if (next >= size) {
                state = State.DONE;
                result = digests().finishRaw();
                digests = null;
                finished = true;
            }
        }
        if (finished) listener.finished(this);
        return null;
    }

    /** Bytes of hole from {@code next} to the next data range (or the file's end). */
    private long holeAfter() {
        while (range < data.size() && data.get(range).offset() + data.get(range).length() <= next) range++;
        long to = range < data.size() ? data.get(range).offset() : size;
        return Math.max(0, to - next);
    }

    /** Keeps a copy of a piece that is not next; false when the budget refuses (the file then falls back). */
    private boolean hold(long at, ByteBuffer bytes) {
        int n = bytes.remaining();
        if (held != null && held.containsKey(at)) return true; // offered twice: the first copy stands
        if (!budget.take(n)) {
            fallBack();
            return false;
        }
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(bytes.duplicate()).flip();
        if (held == null) held = new TreeMap<>();
        held.put(at, copy);
        heldBytes += n;
        return true;
    }

    /** Lets go of what is held; the hashes will come from {@link #rehash}. */
    private void fallBack() {
        state = State.FALLEN_BACK;
        dropHeld();
        budget.fellBack();
        notifyAll();
    }

    private void dropHeld() {
        budget.give(heldBytes);
        heldBytes = 0;
        held = null;
    }

    /** The file's extraction failed: no hashes; pieces offered later are ignored. */
    public void abandon() {
        synchronized (this) {
            if (state == State.DONE || state == State.ABANDONED) return;
            state = State.ABANDONED;
            dropHeld();
            notifyAll();
        }
        listener.finished(this);
    }

    /**
     * Hashes the whole file again from {@code source}, in file order (holes as zeros, not read):
     * after a fall-back, or where some pieces never came (a resumed streaming detach). Call when no
     * more pieces are offered; does nothing once the file is finished or abandoned.
     */
    public void rehash(Source source) throws IOException {
        synchronized (this) {
            if (state == State.DONE || state == State.ABANDONED) return;
            if (busy) throw new IllegalStateException("rehash while pieces are being hashed");
            state = State.FALLEN_BACK; // late offers are ignored from here on
            dropHeld();
        }
        Digests d = new Digests(algorithms);
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(READ, Math.max(1, size)));
        long pos = 0;
        for (Range r : data) {
            d.zeros(r.offset() - pos);
            for (long at = r.offset(); at < r.offset() + r.length(); ) {
                buf.clear().limit((int) Math.min(buf.capacity(), r.offset() + r.length() - at));
                source.readFully(at, buf);
                buf.flip();
                d.update(buf);
                at += buf.remaining();
            }
            pos = r.offset() + r.length();
        }
        d.zeros(size - pos);
        synchronized (this) {
            if (state != State.FALLEN_BACK) return;
            digests = null;
            next = size;
            state = State.DONE;
            result = d.finishRaw();
        }
        listener.finished(this);
    }
}
