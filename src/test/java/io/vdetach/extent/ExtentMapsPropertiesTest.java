package io.vdetach.extent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Composition is exact: reading a layer equals reading, run by run, what its map composed
 * down to the host file says (mapped bytes from the file, zeros for holes).
 */
class ExtentMapsPropertiesTest {

    /** A layer over another one, mapped by a random table of runs. */
    static final class Shuffled extends MappedLayer {
        private final Layer below;
        private final RunTable table;

        Shuffled(Layer below, long size, long seed) {
            this.below = below;
            Random r = new Random(seed);
            RunTable.Builder b = RunTable.builder(size);
            long pos = 0;
            while (pos < size) {
                long len = Math.min(size - pos, 1 + r.nextInt(700));
                if (r.nextInt(4) > 0) {
                    long off = (long) r.nextInt((int) Math.max(1, below.size() - len));
                    b.add(new Run.Mapped(pos, len, below, off));
                }
                pos += len;
            }
            this.table = b.build();
        }

        @Override public long size() { return table.size(); }
        @Override public List<Run> map(long offset, long length) { return table.slice(offset, length); }
        @Override public String describe() { return "shuffled"; }
    }

    @Property(tries = 200)
    void composedRunsCoverExactlyAndReadTheSame(@ForAll @IntRange(min = 1, max = 20000) int size,
                                                @ForAll long seed, @ForAll @IntRange(min = 0, max = 19999) int from) {
        Random r = new Random(seed);
        byte[] data = new byte[30000];
        r.nextBytes(data);
        java.nio.file.Path file;
        HostFile bottom;
        try {
            file = java.nio.file.Files.createTempFile("extent-prop", ".bin");
            java.nio.file.Files.write(file, data);
            bottom = HostFile.open(file);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Layer middle = new Shuffled(bottom, 25000, seed + 1);
        Layer top = new Shuffled(middle, size, seed + 2);
        long start = Math.min(from, size - 1);
        long len = size - start;
        try {
            List<Run> runs = ExtentMaps.compose(top.map(start, len));
            long pos = start;
            List<Byte> viaRuns = new ArrayList<>();
            for (Run run : runs) {
                assertThat(run.start()).isEqualTo(pos);
                pos = run.end();
                for (long i = 0; i < run.length(); i++) {
                    byte v = switch (run) {
                        case Run.Mapped m -> {
                            assertThat(m.target()).isSameAs(bottom);
                            yield data[(int) (m.offset() + i)];
                        }
                        case Run.Hole h -> 0;
                        case Run.Materialise m -> throw new AssertionError("no materialised runs here");
                    };
                    viaRuns.add(v);
                }
            }
            assertThat(pos).isEqualTo(start + len);
            ByteBuffer direct = ByteBuffer.allocate((int) len);
            top.readFully(start, direct);
            for (int i = 0; i < len; i++) assertThat(viaRuns.get(i)).isEqualTo(direct.get(i));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            try {
                bottom.close();
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException ignored) {
                // temp file: the OS cleans up
            }
        }
    }
}
