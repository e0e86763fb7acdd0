package io.vdetach.volume.vss;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.ImagePatch;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.VshadowMount;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each store of the Windows-made corpus volume (dfvfs vsstest.qcow2, a bare NTFS volume with two
 * shadow copies) read through {@link StoreView}, byte for byte against libvshadow's vshadowmount
 * of the same raw volume, and the facts SOURCES.md asserts.
 */
class StoreViewTest {
    @TempDir Path dir;

    static Path raw(Path dir) {
        Path source = Corpus.file("dfvfs/vsstest.qcow2");
        Need.tools("qemu-img");
        Path raw = dir.resolve("vsstest.raw");
        Sh.run("qemu-img", "convert", "-O", "raw", source.toString(), raw.toString());
        return raw;
    }

    @Test
    void catalogHasTheAssertedStores() throws Exception {
        try (HostFile vol = HostFile.open(raw(dir))) {
            ShadowCopies vss = ShadowCopies.read(vol, "disk", BlockCache.withDefaultBudget());
            assertThat(vss).isNotNull();
            List<ShadowStore> s = vss.stores();
            assertThat(s).hasSize(2);
            assertThat(s.get(0).id()).isEqualTo(UUID.fromString("600f0b69-5bdf-11e3-9d6c-005056c00008"));
            assertThat(s.get(1).id()).isEqualTo(UUID.fromString("600f0b6d-5bdf-11e3-9d6c-005056c00008"));
            assertThat(s.get(0).created()).isEqualTo(Instant.parse("2013-12-03T06:35:09.7363787Z"));
            assertThat(s.get(1).created()).isEqualTo(Instant.parse("2013-12-03T06:37:48.9190583Z"));
            for (ShadowStore store : s) {
                assertThat(store.volumeSize()).isEqualTo(1_073_741_824L);
                assertThat(store.information().attributeFlags()).isEqualTo(0x00420009);
            }
            assertThat(vss.warnings()).isEmpty();
        }
    }

    @Test
    void everyStoreEqualsVshadowmount() throws Exception {
        Need.root();
        Path raw = raw(dir);
        try (HostFile vol = HostFile.open(raw); VshadowMount oracle = VshadowMount.of(raw)) {
            ShadowCopies vss = ShadowCopies.read(vol, "disk", BlockCache.withDefaultBudget());
            for (int n = 1; n <= 2; n++) {
                StoreView view = vss.view(n);
                assertThat(view.size()).isEqualTo(1L << 30);
                assertSameBytes(view, oracle.store(n), null);
                List<Run> runs = view.map(0, view.size());
                assertThat(runs).allMatch(r -> r instanceof Run.Hole || r instanceof Run.Mapped m && m.target() == vol);
                long changed = runs.stream().filter(r -> r instanceof Run.Mapped m && m.offset() != m.start())
                        .mapToLong(Run::length).sum();
                System.out.printf("store %d: %d runs, %d bytes read from preserved copies%n", n, runs.size(), changed);
                assertThat(changed).isPositive();
            }
        }
    }

    /**
     * The corpus has no forwarders and no "not used" descriptors: two block descriptors are patched
     * into forwarders (one in the older store to a block the newer one preserved, one in the newest
     * store) and one is marked not used, and libvshadow reads the patched volume as the reference.
     */
    @Test
    void forwardersAndUnusedDescriptorsAsLibvshadowReadsThem() throws Exception {
        Need.root();
        Path raw = raw(dir);
        // store 1's descriptor of block 0x142c000 -> forwarder to 0x14f74000 (which store 2 preserved)
        forwarder(raw, 0x31567c20L, 0x142c000L, 0x14f74000L);
        // store 2's descriptor of block 0x148a0000 (no overlay) -> forwarder to 0x100000 of the live volume
        forwarder(raw, 0x6e44000L + 128 + 32 * 121, 0x148a0000L, 0x100000L);
        // store 2's descriptor of block 0x148a4000 (flags 0x88, no overlay) marked not used: the live block again
        ImagePatch.le32(raw, 0x6e44000L + 128 + 32 * 122 + 24, 0x88 | BlockDescriptor.NOT_USED);
        try (HostFile vol = HostFile.open(raw); VshadowMount oracle = VshadowMount.of(raw)) {
            ShadowCopies vss = ShadowCopies.read(vol, "disk", BlockCache.withDefaultBudget());
            long[] blocks = {0x142c000L, 0x14f74000L, 0x148a0000L, 0x148a4000L, 0x100000L, 0x2c000L, 0x1470c000L, 0x14f70000L, 0L};
            for (int n = 1; n <= 2; n++) assertSameBytes(vss.view(n), oracle.store(n), blocks);
            assertThat(read(vss.view(2), 0x148a0000L)).isEqualTo(read(vol, 0x100000L));
            assertThat(read(vss.view(2), 0x148a4000L)).isEqualTo(read(vol, 0x148a4000L));
            assertThat(read(vss.view(1), 0x142c000L)).isEqualTo(read(vol, 0x75b8000L)); // store 2's copy of 0x14f74000
        }
    }

    private static void forwarder(Path raw, long at, long original, long to) throws Exception {
        ByteBuffer d = ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        d.putLong(original).putLong(to).putLong(0).putInt(BlockDescriptor.FORWARDER).putInt(0);
        ImagePatch.write(raw, at, d.array());
    }

    private static byte[] read(io.vdetach.extent.Layer l, long at) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Vss.BLOCK);
        l.readFully(at, b);
        return b.array();
    }

    /** Compares {@code blocks} (all when null) of the view with the oracle's file, 16 KiB at a time. */
    private static void assertSameBytes(StoreView view, Path oracle, long[] blocks) throws IOException {
        try (FileChannel f = FileChannel.open(oracle, StandardOpenOption.READ)) {
            assertThat(f.size()).isEqualTo(view.size());
            int step = 16 << 20;
            ByteBuffer ours = ByteBuffer.allocate(step), theirs = ByteBuffer.allocate(step);
            long[] starts = blocks != null ? blocks : java.util.stream.LongStream.iterate(0, p -> p < view.size(), p -> p + step).toArray();
            for (long pos : starts) {
                int len = (int) Math.min(blocks != null ? Vss.BLOCK : step, view.size() - pos);
                ours.clear().limit(len);
                theirs.clear().limit(len);
                view.readFully(pos, ours);
                while (theirs.hasRemaining()) if (f.read(theirs, pos + theirs.position()) < 0) break;
                if (!ours.flip().equals(theirs.flip())) {
                    for (int i = 0; i < len; i += Vss.SECTOR) {
                        if (!ours.slice(i, Vss.SECTOR).equals(theirs.slice(i, Vss.SECTOR))) {
                            throw new AssertionError(view.describe() + " differs from " + oracle + " at offset " + (pos + i));
                        }
                    }
                }
            }
        }
    }
}
