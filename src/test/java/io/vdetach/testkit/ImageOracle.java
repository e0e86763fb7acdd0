package io.vdetach.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Compares a disk layer with a raw expansion made by another tool (qemu-img convert -O raw). */
public final class ImageOracle {
    private static final int CHUNK = 4 << 20;

    private ImageOracle() {}

    /** Share statistics of a map: guest data bytes, and those at 4 KiB-aligned host and guest offsets. */
    public record Share(long mappedBytes, long alignedBytes, long holeBytes, int runs) {
        public double ratio() { return mappedBytes == 0 ? 0 : (double) alignedBytes / mappedBytes; }
    }

    public static String sha256(Layer layer) throws IOException {
        MessageDigest md = digest();
        ByteBuffer b = ByteBuffer.allocate(CHUNK);
        for (long pos = 0; pos < layer.size(); ) {
            b.clear().limit((int) Math.min(CHUNK, layer.size() - pos));
            layer.readFully(pos, b);
            b.flip();
            md.update(b);
            pos += b.limit();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(Path file) throws IOException {
        try (HostFile f = HostFile.open(file)) {
            return sha256(f);
        }
    }

    /**
     * Asserts the layer reads exactly as {@code raw}, and that each run of its map holds the raw
     * bytes of its guest range: mapped runs in their target file at their offset, holes zeros.
     */
    public static Share assertSameAsRaw(Layer layer, Path raw) throws IOException {
        try (HostFile r = HostFile.open(raw)) {
            assertThat(layer.size()).as("virtual size of " + layer.describe()).isEqualTo(r.size());
            assertThat(sha256(layer)).as("SHA-256 of " + layer.describe()).isEqualTo(sha256(r));
            return assertMapMatches(layer, r);
        }
    }

    public static Share assertMapMatches(Layer layer, Layer raw) throws IOException {
        List<Run> runs = layer.map(0, layer.size());
        long pos = 0;
        long mapped = 0;
        long aligned = 0;
        long holes = 0;
        for (Run run : runs) {
            assertThat(run.start()).as("runs are contiguous").isEqualTo(pos);
            pos = run.end();
            for (long off = 0; off < run.length(); off += CHUNK) {
                int n = (int) Math.min(CHUNK, run.length() - off);
                ByteBuffer want = raw.readBytes(run.start() + off, n);
                switch (run) {
                    case Run.Mapped m -> {
                        assertThat(m.target()).as("mapped runs end on host files").isInstanceOf(HostFile.class);
                        ByteBuffer got = m.target().readBytes(m.offset() + off, n);
                        if (!got.equals(want)) {
                            throw new AssertionError("mapped run " + m + " differs from the raw disk near guest offset "
                                    + (run.start() + off));
                        }
                    }
                    case Run.Hole h -> {
                        byte[] z = new byte[n];
                        if (!Arrays.equals(z, want.array())) {
                            throw new AssertionError("hole " + h + " is not zero in the raw disk near " + (run.start() + off));
                        }
                    }
                    case Run.Materialise x -> {
                        ByteBuffer got = layer.readBytes(run.start() + off, n);
                        if (!got.equals(want)) {
                            throw new AssertionError("materialised run " + x + " reads other bytes than the raw disk near "
                                    + (run.start() + off));
                        }
                    }
                }
            }
            if (run instanceof Run.Mapped m) {
                mapped += m.length();
                aligned += alignedBytes(m);
            } else {
                holes += run.length();
            }
        }
        assertThat(pos).as("map covers the disk").isEqualTo(layer.size());
        return new Share(mapped, aligned, holes, runs.size());
    }

    /** Bytes of whole 4 KiB guest blocks in {@code m} whose host offset is 4 KiB-aligned too. */
    private static long alignedBytes(Run.Mapped m) {
        long delta = m.offset() - m.start();
        if (Math.floorMod(delta, 4096) != 0) return 0;
        long first = (m.start() + 4095) / 4096 * 4096;
        long last = m.end() / 4096 * 4096;
        return Math.max(0, last - first);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes bytes into a copy of a test file (corruption fixtures). */
    public static void patch(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }
}
