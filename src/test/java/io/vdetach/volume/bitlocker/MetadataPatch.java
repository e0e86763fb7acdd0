package io.vdetach.volume.bitlocker;

import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

/**
 * Hostile BitLocker volumes made from real ones: rewrites every FVE metadata block copy through an
 * edit and gives it a valid CRC-32 again (as a hostile author would), so the edit reaches the
 * parsers behind the checksum. The result is a set of byte patches, applied to a file or seen
 * through a {@link Patched} layer.
 */
final class MetadataPatch {
    private MetadataPatch() {}

    /** The patches that replace each block copy by {@code edit} of its validated bytes (header, metadata). */
    static Map<Long, byte[]> blocks(Layer volume, UnaryOperator<byte[]> edit) throws IOException {
        VolumeHeader h = VolumeHeader.parse(volume.readBytes(0, VolumeHeader.SIZE));
        Map<Long, byte[]> patches = new TreeMap<>();
        for (long at : h.metadataOffsets()) {
            int n = Short.toUnsignedInt(volume.readBytes(at + 8, 2).getShort()) * 16;
            byte[] block = new byte[n];
            volume.readBytes(at, n).get(block);
            patches.put(at, sealed(edit.apply(block)));
        }
        return patches;
    }

    /** A block's bytes padded to 16, its size field set, and the validation record with a fresh CRC-32 after it. */
    static byte[] sealed(byte[] block) {
        int n = (block.length + 15) / 16 * 16;
        ByteBuffer b = ByteBuffer.allocate(n + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(block);
        b.putShort(8, (short) (n / 16));
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, n);
        b.putShort(n, (short) (0x10000 - n)).putShort(n + 2, (short) 2).putInt(n + 4, (int) crc.getValue());
        return b.array();
    }

    static void apply(Path file, Map<Long, byte[]> patches) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            for (var e : patches.entrySet()) {
                f.seek(e.getKey());
                f.write(e.getValue());
            }
        }
    }

    /** A layer with byte patches laid over it. */
    record Patched(Layer base, Map<Long, byte[]> patches) implements Layer {
        @Override public long size() { return base.size(); }

        @Override public String describe() { return base.describe(); }

        @Override public List<Run> map(long offset, long length) throws IOException { return base.map(offset, length); }

        @Override
        public int read(long offset, ByteBuffer dst) throws IOException {
            int start = dst.position();
            int n = base.read(offset, dst);
            for (var e : patches.entrySet()) {
                long a = Math.max(offset, e.getKey()), z = Math.min(offset + n, e.getKey() + e.getValue().length);
                for (long p = a; p < z; p++) dst.put(start + (int) (p - offset), e.getValue()[(int) (p - e.getKey())]);
            }
            return n;
        }
    }
}
