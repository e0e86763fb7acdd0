package io.vdetach.volume.bitlocker;

import io.vdetach.extent.HostFile;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark input for bench/bitlocker-dump.sh: a large BitLocker volume made from a corpus one.
 * Random bytes everywhere (so every sector is read and decrypted as real data would be), then the
 * corpus volume's header, metadata blocks and relocated boot sectors put back, and the metadata's
 * encrypted volume size raised to the new size (CRC-32s fixed). Its password stays the corpus one.
 *
 * <p>Usage: {@code BitLockerBenchVolume SRC.img OUT.img SIZE_MIB}
 */
public final class BitLockerBenchVolume {
    private BitLockerBenchVolume() {}

    public static void main(String[] args) throws Exception {
        Path src = Path.of(args[0]), out = Path.of(args[1]);
        long size = Long.parseLong(args[2]) << 20;
        SplittableRandom rnd = new SplittableRandom(21);
        byte[] chunk = new byte[1 << 20];
        ByteBuffer le = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw"); HostFile s = HostFile.open(src)) {
            for (long p = 0; p < size; p += chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) le.putLong(i, rnd.nextLong());
                f.write(chunk);
            }
            VolumeHeader h = VolumeHeader.parse(s.readBytes(0, VolumeHeader.SIZE));
            FveMetadata m = FveMetadata.readValid(s, h.metadataOffsets());
            copy(s, f, 0, VolumeHeader.SIZE);
            for (long o : h.metadataOffsets()) copy(s, f, o, FveMetadata.AREA_V2);
            copy(s, f, m.block().volumeHeaderOffset(), (long) m.block().headerSectors() * h.bytesPerSector());
            Map<Long, byte[]> patches = MetadataPatch.blocks(s, b -> {
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, size);
                return b;
            });
            for (var e : patches.entrySet()) {
                f.seek(e.getKey());
                f.write(e.getValue());
            }
        }
    }

    private static void copy(HostFile s, RandomAccessFile f, long at, long length) throws Exception {
        byte[] b = new byte[(int) length];
        s.readBytes(at, b.length).get(b);
        f.seek(at);
        f.write(b);
    }
}
