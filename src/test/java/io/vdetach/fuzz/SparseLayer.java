package io.vdetach.fuzz;

import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SparseFile} input as a layer that is never materialised: a volume of up to
 * {@code maxSize} bytes (a gigabyte) whose chunks are kept as they are and zeros elsewhere. For
 * structures that lie far apart in large volumes (BitLocker's metadata copies, a VSS catalog and
 * its stores' block lists hundreds of MiB in), where a byte array as big as the volume per input
 * would cost more than the parse. It maps onto itself: it is the bottom of the stack.
 */
final class SparseLayer implements Layer {
    private record Chunk(long offset, byte[] bytes) {}

    private final long size;
    private final List<Chunk> chunks;
    private final String name;

    private SparseLayer(long size, List<Chunk> chunks, String name) {
        this.size = size;
        this.chunks = chunks;
        this.name = name;
    }

    /** The layer {@code input} stands for (same encoding as {@link SparseFile}), at most {@code maxSize} bytes. */
    static SparseLayer decode(byte[] input, long maxSize, String name) {
        ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4) return new SparseLayer(0, List.of(), name);
        long size = Math.min(Integer.toUnsignedLong(in.getInt()), maxSize);
        List<Chunk> chunks = new ArrayList<>();
        while (in.remaining() >= 6) {
            long offset = Integer.toUnsignedLong(in.getInt());
            int length = Math.min(in.getShort() & 0xffff, in.remaining());
            if (offset < size) {
                byte[] b = new byte[(int) Math.min(length, size - offset)];
                in.get(in.position(), b);
                chunks.add(new Chunk(offset, b));
            }
            in.position(in.position() + length);
        }
        return new SparseLayer(size, chunks, name);
    }

    @Override public long size() { return size; }

    @Override public String describe() { return name; }

    @Override
    public int read(long offset, ByteBuffer dst) {
        if (offset < 0 || offset >= size || !dst.hasRemaining()) return 0;
        int n = (int) Math.min(dst.remaining(), size - offset);
        int at = dst.position();
        for (int i = 0; i < n; i++) dst.put(at + i, (byte) 0);
        for (Chunk c : chunks) { // in input order: later chunks win
            long from = Math.max(offset, c.offset), to = Math.min(offset + n, c.offset + c.bytes.length);
            if (from < to) dst.put(at + (int) (from - offset), c.bytes, (int) (from - c.offset), (int) (to - from));
        }
        dst.position(at + n);
        return n;
    }

    @Override
    public List<Run> map(long offset, long length) {
        long end = Math.min(size, offset + length);
        if (end <= offset) return List.of();
        return List.of(new Run.Mapped(offset, end - offset, this, offset));
    }
}
