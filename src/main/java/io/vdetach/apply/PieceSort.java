package io.vdetach.apply;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The pieces of {@code detach --streaming} in image order, in bounded memory: pieces are
 * gathered {@code chunk} at a time, each chunk sorted and written to a {@link SpillFile} as a
 * run of fixed-size records, and the runs merged (k-way) as they are read back. The order is
 * that of one stable sort of every piece by image file and offset: ties keep the order pieces
 * were added in (within a chunk by the stable sort, across runs by the run's number).
 */
final class PieceSort implements AutoCloseable {
    /** Pieces sorted in memory at a time: 128 Ki pieces of ~80 bytes on the heap, 40 bytes each on disk. */
    static final int CHUNK = 1 << 17;
    /** Read-ahead of all runs together while merging; each run gets a share, at least {@link #MIN_RUN_BUFFER}. */
    private static final int MERGE_BUFFERS = 16 << 20, MIN_RUN_BUFFER = 4096;

    /**
     * Bytes of a file taken from one image file, within one unit; or, with {@code fileOffset} -1,
     * the slack after a file's end, only punched.
     *
     * @param source the image file's number
     * @param file the file's number, in plan order
     * @param record where the file's record is in {@link PlannedFiles}
     */
    record Piece(int source, long sourceOffset, long length, long fileOffset, int file, long record) {
        /** Bytes on disk: the six fields. */
        static final int BYTES = 4 + 8 + 8 + 8 + 4 + 8;

        boolean punchOnly() {
            return fileOffset < 0;
        }

        void write(DataOutputStream o) throws IOException {
            o.writeInt(source);
            o.writeLong(sourceOffset);
            o.writeLong(length);
            o.writeLong(fileOffset);
            o.writeInt(file);
            o.writeLong(record);
        }

        static Piece read(DataInputStream in) throws IOException {
            return new Piece(in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readInt(), in.readLong());
        }
    }

    static final Comparator<Piece> IMAGE_ORDER = Comparator.comparingInt(Piece::source).thenComparingLong(Piece::sourceOffset);

    /** Pieces handed out in image order; null after the last. */
    interface Cursor {
        Piece next() throws IOException;
    }

    private final int chunk;
    private List<Piece> gathered = new ArrayList<>();
    private SpillFile spill;
    /** Each run's first byte in the spill file; the last entry is the end of the last run. */
    private final List<Long> runStarts = new ArrayList<>();
    private long count;

    PieceSort() {
        this(CHUNK);
    }

    /** @param chunk pieces sorted in memory at a time (tests make it small to merge many runs) */
    PieceSort(int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("chunk " + chunk);
        this.chunk = chunk;
    }

    void add(Piece p) throws IOException {
        gathered.add(p);
        count++;
        if (gathered.size() >= chunk) spillRun();
    }

    long size() {
        return count;
    }

    /** Runs written to the spill file so far. */
    int runs() {
        return Math.max(0, runStarts.size() - 1);
    }

    private void spillRun() throws IOException {
        if (spill == null) {
            spill = SpillFile.create("pieces");
            runStarts.add(0L);
        }
        gathered.sort(IMAGE_ORDER);
        DataOutputStream o = spill.output();
        for (Piece p : gathered) p.write(o);
        runStarts.add(spill.position());
        gathered = new ArrayList<>();
    }

    /** Every piece added, in image order; call once, after the last {@link #add}. */
    Cursor sorted() throws IOException {
        if (spill == null) {
            List<Piece> all = gathered;
            gathered = new ArrayList<>();
            all.sort(IMAGE_ORDER);
            int[] at = {0};
            return () -> at[0] < all.size() ? all.get(at[0]++) : null;
        }
        if (!gathered.isEmpty()) spillRun();
        spill.flush();
        return new Merge();
    }

    /** The runs' next pieces, smallest first; ties go to the earlier run. */
    private final class Merge implements Cursor {
        private record Head(Piece piece, int run) {}

        private final PriorityQueue<Head> heads = new PriorityQueue<>(
                Comparator.comparing(Head::piece, IMAGE_ORDER).thenComparingInt(Head::run));
        private final List<DataInputStream> inputs = new ArrayList<>();
        private final long[] left;

        Merge() throws IOException {
            int runs = runs();
            int buffer = Math.max(MIN_RUN_BUFFER, Math.min(SpillFile.BUFFER, MERGE_BUFFERS / runs));
            left = new long[runs];
            for (int r = 0; r < runs; r++) {
                long from = runStarts.get(r), to = runStarts.get(r + 1);
                inputs.add(spill.input(from, to, buffer));
                left[r] = (to - from) / Piece.BYTES;
                advance(r);
            }
        }

        private void advance(int run) throws IOException {
            if (left[run] == 0) return;
            left[run]--;
            heads.add(new Head(Piece.read(inputs.get(run)), run));
        }

        @Override
        public Piece next() throws IOException {
            Head h = heads.poll();
            if (h == null) return null;
            advance(h.run());
            return h.piece();
        }
    }

    @Override
    public void close() throws IOException {
        gathered = new ArrayList<>();
        if (spill != null) spill.close();
    }
}
