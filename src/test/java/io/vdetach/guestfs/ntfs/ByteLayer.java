package io.vdetach.guestfs.ntfs;

import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.nio.ByteBuffer;
import java.util.List;

/** An image held in memory, for patched and fuzzed copies of real images. */
final class ByteLayer implements Layer {
    private final byte[] bytes;

    ByteLayer(byte[] bytes) { this.bytes = bytes; }

    @Override public long size() { return bytes.length; }

    @Override
    public int read(long offset, ByteBuffer dst) {
        if (offset >= bytes.length) return 0;
        int n = (int) Math.min(dst.remaining(), bytes.length - offset);
        dst.put(bytes, (int) offset, n);
        return n;
    }

    @Override
    public List<Run> map(long offset, long length) {
        long end = Math.min(bytes.length, offset + length);
        return end <= offset ? List.of() : List.of(new Run.Mapped(offset, end - offset, this, offset));
    }

    @Override public String describe() { return "memory image"; }
}
