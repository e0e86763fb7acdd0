package io.vdetach.nio;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.DiskFixture;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 8 threads reading different files of one file system at once, each in 64 KiB positional reads
 * in a random order, three rounds; then 8 threads reading one file through one shared channel:
 * every SHA-256 equals the kernel's mount of the same partition. On the raw disk and on a
 * compressed qcow2 of it (every cluster decoded, through the image's one block cache).
 */
class ConcurrentReadTest {
    private static final int THREADS = 8;
    private static final int CHUNK = 64 << 10;
    @TempDir Path dir;

    @Test
    void eightThreadsReadTheRightBytes() throws Exception {
        Need.root();
        Need.tools("qemu-img");
        Path raw = DiskFixture.raw();
        Map<String, String> expected = new TreeMap<>();
        try (LoopMount m = LoopMount.readOnly(raw, 1 << 20, 48 << 20, "ext4", "noload")) {
            for (Map.Entry<String, EntryFacts> e : HostTree.walk(m.path(), "lost+found").entrySet()) {
                if (e.getValue().type().equals("file")) expected.put("/p1/" + e.getKey(), e.getValue().sha256());
            }
        }
        assertThat(expected).hasSizeGreaterThan(40);
        Path qcow2 = dir.resolve("compressed.qcow2");
        Sh.run("qemu-img", "convert", "-c", "-O", "qcow2", raw.toString(), qcow2.toString());
        for (Path image : List.of(raw, qcow2)) {
            try (FileSystem fs = FileSystems.newFileSystem(image)) {
                assertThat(readConcurrently(fs, expected.keySet())).as(image.toString()).isEqualTo(expected);
                String big = expected.keySet().stream().filter(p -> p.contains("rand12")).findFirst().orElseThrow();
                assertThat(sharedChannel(fs.getPath(big))).isEqualTo(expected.get(big));
            }
        }
    }

    /**
     * NTFS with LZNT1-compressed, sparse and fragmented files: 8 threads read different files (the
     * compressed units are decoded through per-stream caches), and 8 threads walk the whole tree at
     * once (the directory index is built by whichever comes first), against ntfs-3g's mount.
     */
    @Test
    void eightThreadsOnNtfs() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "setfattr", "sgdisk");
        Path disk = io.vdetach.guestfs.ntfs.NtfsFixtureAccess.featuresDisk(dir);
        Map<String, String> expected = new TreeMap<>();
        TreeMap<String, EntryFacts> tree;
        try (FileSystem fs = FileSystems.newFileSystem(disk);
             io.vdetach.api.Image img = io.vdetach.api.Image.open(disk)) {
            io.vdetach.api.GuestVolume v = img.volumes().getFirst();
            try (LoopMount m = LoopMount.readOnly(disk, v.start(), v.size(), "ntfs-3g", "streams_interface=xattr")) {
                for (Map.Entry<String, EntryFacts> e : HostTree.walk(m.path()).entrySet()) {
                    if (e.getValue().type().equals("file") && !e.getKey().equals("wof")) expected.put("/p1/" + e.getKey(), e.getValue().sha256());
                }
            }
            assertThat(expected).containsKeys("/p1/c/text", "/p1/c/sparse", "/p1/frag", "/p1/random");
            assertThat(readConcurrently(fs, expected.keySet())).isEqualTo(expected);
            tree = ProviderTree.walk(fs.getPath("/p1"));
        }
        try (FileSystem fs = FileSystems.newFileSystem(disk); ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<TreeMap<String, EntryFacts>>> walks = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                walks.add(pool.submit(() -> {
                    start.await();
                    return ProviderTree.walk(fs.getPath("/p1"));
                }));
            }
            for (Future<TreeMap<String, EntryFacts>> w : walks) assertThat(w.get()).isEqualTo(tree);
        }
    }

    /** path &rarr; SHA-256 of every file, the files spread over the threads, each read three times. */
    private static Map<String, String> readConcurrently(FileSystem fs, java.util.Set<String> paths) throws Exception {
        List<String> files = new ArrayList<>(paths);
        Map<String, String> out = new ConcurrentHashMap<>();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int me = t;
                done.add(pool.submit(() -> {
                    start.await();
                    Random random = new Random(me);
                    for (int round = 0; round < 3; round++) {
                        for (int i = me; i < files.size(); i += THREADS) {
                            String sha = sha256(readShuffled(fs.getPath(files.get(i)), random));
                            String before = out.putIfAbsent(files.get(i), sha);
                            if (before != null && !before.equals(sha)) throw new AssertionError(files.get(i) + " read differently");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        return new TreeMap<>(out);
    }

    private static byte[] readShuffled(Path p, Random random) throws Exception {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            byte[] all = new byte[(int) size];
            List<Long> chunks = new ArrayList<>();
            for (long pos = 0; pos < size; pos += CHUNK) chunks.add(pos);
            Collections.shuffle(chunks, random);
            for (long pos : chunks) {
                ByteBuffer b = ByteBuffer.wrap(all, (int) pos, (int) Math.min(CHUNK, size - pos));
                while (b.hasRemaining()) {
                    int n = ch.read(b, b.position()); // b wraps the whole file: its position is the file offset
                    if (n < 0) throw new AssertionError("early end of " + p);
                }
            }
            return all;
        }
    }

    /** One channel, 8 threads reading its chunks i, i + 8, … at once. */
    private static String sharedChannel(Path p) throws Exception {
        try (FileChannel ch = Files.newByteChannel(p) instanceof FileChannel f ? f : null) {
            assertThat(ch).as("Files.newByteChannel gives a FileChannel").isNotNull();
            long size = ch.size();
            byte[] all = new byte[(int) size];
            try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int me = t;
                    done.add(pool.submit(() -> {
                        for (long pos = (long) me * CHUNK; pos < size; pos += (long) THREADS * CHUNK) {
                            ByteBuffer b = ByteBuffer.wrap(all, (int) pos, (int) Math.min(CHUNK, size - pos));
                            while (b.hasRemaining()) {
                                if (ch.read(b, b.position()) < 0) throw new AssertionError("early end of " + p);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
            }
            return sha256(all);
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

}
