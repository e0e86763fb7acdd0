package io.vdetach.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Pieces offered in any order from two threads, holes between them: the JDK's digest of the whole content. */
class FileHasherTest {
    private static final List<Digests.Algorithm> ALL = List.of(Digests.Algorithm.SHA256, Digests.Algorithm.MD5, Digests.Algorithm.SHA1);

    /** A file of {@code size} bytes: random data in the ranges, zeros elsewhere. */
    private record File(byte[] bytes, List<FileHasher.Range> data) {}

    private static File file(Random rnd, int size) {
        byte[] b = new byte[size];
        List<FileHasher.Range> data = new ArrayList<>();
        int at = rnd.nextInt(3) == 0 ? rnd.nextInt(size / 4 + 1) : 0; // sometimes a leading hole
        while (at < size) {
            int len = Math.min(size - at, 1 + rnd.nextInt(size / 3 + 1));
            byte[] d = new byte[len];
            rnd.nextBytes(d);
            System.arraycopy(d, 0, b, at, len);
            data.add(new FileHasher.Range(at, len));
            at += len + (rnd.nextBoolean() ? rnd.nextInt(size / 5 + 1) : 0);
        }
        return new File(b, data);
    }

    /** The data ranges cut into pieces of up to {@code maxPiece} bytes, shuffled. */
    private static List<long[]> pieces(Random rnd, File f, int maxPiece) {
        List<long[]> out = new ArrayList<>();
        for (FileHasher.Range r : f.data()) {
            for (long at = r.offset(); at < r.offset() + r.length(); ) {
                long n = Math.min(r.offset() + r.length() - at, 1 + rnd.nextInt(maxPiece));
                out.add(new long[] {at, n});
                at += n;
            }
        }
        Collections.shuffle(out, rnd);
        return out;
    }

    private static String jdk(String alg, byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(b));
    }

    private static final class Counting implements FileHasher.Listener {
        final AtomicInteger finished = new AtomicInteger();
        final AtomicInteger fellBack = new AtomicInteger();

        @Override public void fellBack(FileHasher h) { fellBack.incrementAndGet(); }

        @Override public void finished(FileHasher h) { finished.incrementAndGet(); }
    }

    @Test
    void piecesInAnyOrderFromTwoThreadsHashAsTheWholeFile() throws Exception {
        Random rnd = new Random(42);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                int size = rnd.nextInt(5) == 0 ? rnd.nextInt(3) : 1 + rnd.nextInt(200_000);
                File f = file(rnd, Math.max(size, 1));
                if (size == 0) f = new File(new byte[0], List.of());
                Counting l = new Counting();
                FileHasher h = new FileHasher(ALL, f.bytes().length, f.data(), new HoldBudget(1L << 30), l);
                h.start();
                List<long[]> pieces = pieces(rnd, f, 1 + rnd.nextInt(30_000));
                File file = f;
                List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int half = t;
                    futures.add(pool.submit(() -> {
                        for (int i = half; i < pieces.size(); i += 2) {
                            long[] p = pieces.get(i);
                            h.offer(p[0], ByteBuffer.wrap(file.bytes(), (int) p[0], (int) p[1]).slice());
                        }
                    }));
                }
                for (var fu : futures) fu.get(10, TimeUnit.SECONDS);
                assertThat(l.finished.get()).as("round " + round).isEqualTo(1);
                assertThat(h.hashes()).containsEntry("sha256", jdk("SHA-256", f.bytes()))
                        .containsEntry("md5", jdk("MD5", f.bytes())).containsEntry("sha1", jdk("SHA-1", f.bytes()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pastTheBudgetItFallsBackAndIsHashedAgainInFileOrder() throws Exception {
        Random rnd = new Random(7);
        File f = file(rnd, 500_000);
        HoldBudget budget = new HoldBudget(10_000);
        Counting l = new Counting();
        FileHasher h = new FileHasher(ALL, f.bytes().length, f.data(), budget, l);
        h.start();
        List<long[]> pieces = pieces(rnd, f, 20_000);
        Collections.reverse(pieces);
        for (long[] p : pieces) h.offer(p[0], ByteBuffer.wrap(f.bytes(), (int) p[0], (int) p[1]).slice());
        assertThat(l.fellBack.get()).isEqualTo(1);
        assertThat(l.finished.get()).isZero();
        assertThat(h.hashes()).isNull();
        assertThat(budget.fallbacks()).isEqualTo(1);
        h.rehash((at, dst) -> dst.put(f.bytes(), (int) at, dst.remaining()));
        assertThat(l.finished.get()).isEqualTo(1);
        assertThat(h.hashes()).containsEntry("sha256", jdk("SHA-256", f.bytes()));
        assertThat(budget.peak()).isLessThanOrEqualTo(10_000);
    }

    @Test
    void anAbandonedFileFinishesOnceWithoutHashes() {
        Counting l = new Counting();
        FileHasher h = new FileHasher(ALL, 100, List.of(new FileHasher.Range(50, 50)), new HoldBudget(1000), l);
        h.start();
        h.offer(60, ByteBuffer.allocate(40)); // held: not next
        h.abandon();
        h.abandon();
        h.offer(50, ByteBuffer.allocate(10)); // ignored
        assertThat(l.finished.get()).isEqualTo(1);
        assertThat(h.hashes()).isNull();
    }

    @Test
    void aFileWithoutDataIsHashedWhenStarted() throws Exception {
        Counting l = new Counting();
        FileHasher h = new FileHasher(ALL, 3 << 20, List.of(), new HoldBudget(0), l);
        h.start();
        assertThat(l.finished.get()).isEqualTo(1);
        assertThat(h.hashes()).containsEntry("sha256", jdk("SHA-256", new byte[3 << 20]));
    }
}
