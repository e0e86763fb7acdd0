package io.vdetach.fuzz;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.volume.bitlocker.BitLockerVolume;
import io.vdetach.volume.bitlocker.Secrets;
import io.vdetach.volume.vss.ShadowCopies;
import io.vdetach.volume.vss.ShadowStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

/**
 * Makes a {@link SparseLayer} seed from a real volume holding only the sectors the parser reads as
 * metadata: {@code bitlocker VOLUME OUT} records what detecting and opening (clear key only) a
 * BitLocker volume reads, {@code vss VOLUME OUT} what reading the shadow copies' catalog and
 * setting up every store's view reads. Data sectors stay zeros, so the seed is a few KiB though
 * the volume is a gigabyte. bench/fuzz-seeds-volumes.sh runs it on cryptsetup's and dfvfs's images.
 */
public final class MetadataSeed {
    private MetadataSeed() {}

    private static final int SECTOR = 512;

    public static void main(String[] args) throws Exception {
        try (HostFile raw = HostFile.open(Path.of(args[1]))) {
            BitSet read = new BitSet();
            Layer recorder = recording(raw, read);
            switch (args[0]) {
                case "bitlocker" -> {
                    BitLockerVolume bl = BitLockerVolume.detect(recorder);
                    if (bl == null) throw new IllegalStateException(args[1] + ": not BitLocker");
                    bl.unlock(Secrets.NONE);
                }
                case "vss" -> {
                    ShadowCopies c = ShadowCopies.read(recorder, "seed", new BlockCache(BlockCache.DEFAULT_BUDGET));
                    if (c == null) throw new IllegalStateException(args[1] + ": no shadow copies");
                    for (ShadowStore s : c.stores()) c.view(s.index());
                }
                default -> throw new IllegalArgumentException("bitlocker or vss, not " + args[0]);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) raw.size()).array(), 0, 4);
            for (int i = read.nextSetBit(0); i >= 0; ) {
                int end = Math.min(read.nextClearBit(i), i + 64); // pieces of at most 32 KiB
                byte[] piece = new byte[(end - i) * SECTOR];
                raw.readFully((long) i * SECTOR, ByteBuffer.wrap(piece));
                SparseFile.chunks((long) i * SECTOR, piece, out);
                i = read.nextSetBit(end);
            }
            Files.write(Path.of(args[2]), out.toByteArray());
            System.out.println(args[2] + ": " + read.cardinality() + " sectors, " + out.size() + " bytes");
        }
    }

    /** {@code raw}, recording in {@code read} every sector a read touches. */
    static Layer recording(HostFile raw, BitSet read) {
        return new Layer() {
            @Override public long size() { return raw.size(); }

            @Override public String describe() { return raw.describe(); }

            @Override public List<Run> map(long offset, long length) throws IOException { return raw.map(offset, length); }

            @Override
            public int read(long offset, ByteBuffer dst) throws IOException {
                int n = raw.read(offset, dst);
                if (n > 0) read.set((int) (offset / SECTOR), (int) ((offset + n + SECTOR - 1) / SECTOR));
                return n;
            }
        };
    }
}
