package io.vdetach.fuzz;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A real image (megabytes) as a fuzzer input of a few bytes: the input patches the image's
 * metadata, which is the set of 512-byte sectors a pristine walk reads, minus the sectors files
 * store their data in as-is. The sectors are numbered in disk order, so an input keeps its meaning
 * as long as the parser reads the same structures (the base image is fixed).
 *
 * <pre>
 * repeated: u16 sector number (modulo the metadata sectors), u16 offset in the sector (modulo 512),
 *           u8 length, length bytes
 * </pre>
 *
 * Patches are written into the image in place and undone after the input, so one copy serves
 * every execution.
 */
final class PatchedBase {
    static final int SECTOR = 512;

    /** A walk of a volume, as the family's target does it, told which bytes are file data. */
    interface Walk {
        void walk(Layer volume, LayerWalk files) throws Exception;
    }

    final String name;
    private final byte[] bytes;
    private final HostFile file;
    /** Byte offsets of the metadata sectors, in disk order. */
    private final long[] sectors;

    private PatchedBase(String name, byte[] bytes, long[] sectors) {
        this.name = name;
        this.bytes = bytes;
        this.file = HostFile.inMemory(Path.of(name), bytes);
        this.sectors = sectors;
    }

    /** Records which sectors a pristine {@code walk} of {@code bytes} reads as metadata. */
    static PatchedBase record(String name, byte[] bytes, Walk walk) throws Exception {
        HostFile plain = HostFile.inMemory(Path.of(name), bytes);
        BitSet read = new BitSet();
        BitSet data = new BitSet();
        Layer recorder = MetadataSeed.recording(plain, read);
        walk.walk(recorder, new LayerWalk(GuestWalk.READ_BUDGET, m -> {
            // whole sectors of file data only: a sector shared with metadata stays patchable
            long first = (m.offset() + SECTOR - 1) / SECTOR;
            long end = (m.offset() + m.length()) / SECTOR;
            if (end > first) data.set((int) first, (int) end);
        }));
        read.andNot(data);
        List<Long> s = new ArrayList<>();
        for (int i = read.nextSetBit(0); i >= 0; i = read.nextSetBit(i + 1)) s.add((long) i * SECTOR);
        if (s.isEmpty()) throw new IllegalStateException(name + ": the pristine walk read no metadata");
        return new PatchedBase(name, bytes, s.stream().mapToLong(Long::longValue).toArray());
    }

    int metadataSectors() { return sectors.length; }

    /** Applies the patches in {@code input[from..]}, runs {@code work} on the patched image, undoes them. */
    void withPatches(byte[] input, int from, Walk work, LayerWalk files) throws Exception {
        from = Math.min(from, input.length);
        ByteBuffer in = ByteBuffer.wrap(input, from, input.length - from).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        List<Integer> undo = new ArrayList<>();
        List<byte[]> saved = new ArrayList<>();
        try {
            while (in.remaining() >= 5) {
                int at = (int) (sectors[(in.getShort() & 0xffff) % sectors.length] + (in.getShort() & 0xffff) % SECTOR);
                int given = Math.min(in.get() & 0xff, in.remaining());
                int len = Math.min(given, bytes.length - at);
                if (len > 0) {
                    undo.add(at);
                    saved.add(java.util.Arrays.copyOfRange(bytes, at, at + len));
                    in.get(in.position(), bytes, at, len);
                }
                in.position(in.position() + given);
            }
            work.walk(file, files);
        } finally {
            for (int i = undo.size() - 1; i >= 0; i--) {
                byte[] old = saved.get(i);
                System.arraycopy(old, 0, bytes, undo.get(i), old.length);
            }
        }
    }
}
