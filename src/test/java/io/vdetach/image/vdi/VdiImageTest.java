package io.vdetach.image.vdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.MissingFileException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.GuestDisk;
import io.vdetach.testkit.ImageOracle;
import io.vdetach.testkit.Mutations;
import io.vdetach.testkit.Openers;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VdiImageTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"static=off", "static=on"})
    void readsAndMapsLikeQemu(String opts) throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vdi", dir.resolve("d.vdi"), "-o", opts);
        Path raw = GuestDisk.expand(img, "vdi", dir.resolve("d.raw"));
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThat(d.format()).isEqualTo("vdi");
            ImageOracle.Share s = ImageOracle.assertSameAsRaw(d, raw);
            System.out.printf("SHARE vdi %s: virtual %d, mapped %d, aligned %d (%.4f), holes %d, runs %d; %s%n",
                    opts, d.size(), s.mappedBytes(), s.alignedBytes(), s.ratio(), s.holeBytes(), s.runs(),
                    d.chain().getFirst().detail());
            assertThat(d.chain().getFirst().detail()).startsWith(opts.equals("static=on") ? "fixed" : "dynamic");
        }
    }

    // ---- diff images: qemu-img can neither create ("Backing file not supported for file format
    // 'vdi'") nor read VDI diff images (image type 4), so a qemu-made dynamic child is made a diff
    // by setting its type and parent UUIDs (VirtualBox VDICore.h); the expected disk is built
    // with dd from qemu's expansions of base and child.

    private record Chain(Path base, Path child, Path baseRaw, Path childRaw) {}

    private Chain chain() throws Exception {
        Path base = GuestDisk.convert(GuestDisk.raw(), "vdi", dir.resolve("base.vdi"));
        Path child = dir.resolve("child.vdi");
        Sh.run("qemu-img", "create", "-q", "-f", "vdi", child.toString(), "48M");
        Sh.run("qemu-io", "-f", "vdi", "-c", "write -P 0xcd 2M 64k", child.toString());
        Path childRaw = GuestDisk.expand(child, "vdi", dir.resolve("child-alone.raw"));
        return new Chain(base, child, GuestDisk.expand(base, "vdi", dir.resolve("base.raw")), childRaw);
    }

    private static byte[] bytes(Path f, long at, int len) throws IOException {
        try (HostFile h = HostFile.open(f)) {
            return h.readBytes(at, len).array();
        }
    }

    /** Type 4 (diff), linkage = the parent's creation UUID, parent-modify = its modification UUID. */
    private static void makeDiff(Path child, Path parent) throws IOException {
        ImageOracle.patch(child, 0x4c, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(4).array());
        ImageOracle.patch(child, 0x1a8, bytes(parent, 0x188, 16));
        ImageOracle.patch(child, 0x1b8, bytes(parent, 0x198, 16));
    }

    @Test
    void diffImageFindsItsParentByUuid() throws Exception {
        Chain c = chain();
        // a decoy with another UUID in the same directory must not be taken
        GuestDisk.convert(GuestDisk.raw(), "vdi", dir.resolve("decoy.vdi"));
        makeDiff(c.child(), c.base());
        Path expected = dir.resolve("expected.raw");
        Files.copy(c.baseRaw(), expected);
        Sh.run("dd", "if=" + c.childRaw(), "of=" + expected, "bs=1M", "skip=2", "seek=2", "count=1", "conv=notrunc", "status=none");
        try (DiskImage d = ImageOpener.open(c.child(), OpenOptions.DEFAULT)) {
            assertThat(d.warnings()).isEmpty();
            assertThat(d.chain()).hasSize(2);
            assertThat(d.chain().get(0).detail()).startsWith("diff");
            assertThat(d.chain().get(1).file()).isEqualTo(c.base().toRealPath());
            ImageOracle.assertSameAsRaw(d, expected);
        }
    }

    @Test
    void zeroBlocksInADiffDoNotReadTheParent() throws Exception {
        Chain c = chain();
        makeDiff(c.child(), c.base());
        ImageOracle.patch(c.base(), 0x198, new byte[16]); // parent modified since: a warning
        long mapAt = ByteBuffer.wrap(bytes(c.child(), 0x154, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        ImageOracle.patch(c.child(), mapAt + 4 * 5, new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        Path expected = dir.resolve("expected.raw");
        Files.copy(c.baseRaw(), expected);
        Sh.run("dd", "if=" + c.childRaw(), "of=" + expected, "bs=1M", "skip=2", "seek=2", "count=1", "conv=notrunc", "status=none");
        Sh.run("dd", "if=/dev/zero", "of=" + expected, "bs=1M", "seek=5", "count=1", "conv=notrunc", "status=none");
        try (DiskImage d = ImageOpener.open(c.child(), OpenOptions.DEFAULT)) {
            assertThat(d.warnings()).singleElement().asString().contains("modified");
            ImageOracle.assertSameAsRaw(d, expected);
            assertThat(d.map(5 << 20, 1 << 20)).singleElement().isInstanceOf(Run.Hole.class);
        }
    }

    @Test
    void missingParentAndCyclesAreCorrupt() throws Exception {
        Chain c = chain();
        makeDiff(c.child(), c.base());
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.move(c.base(), elsewhere.resolve("base.vdi")); // only the child's own directory is searched
        assertThatThrownBy(() -> ImageOpener.open(c.child(), OpenOptions.DEFAULT)).isInstanceOf(MissingFileException.class)
                .hasMessageContaining("no VDI file");
        // two diffs naming each other
        Path other = dir.resolve("other.vdi");
        Files.copy(c.child(), other);
        ImageOracle.patch(other, 0x188, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        makeDiff(c.child(), other);
        makeDiff(other, c.child());
        assertThatThrownBy(() -> ImageOpener.open(c.child(), OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("cycle");
    }

    // ---- corruption

    private Path dynamic() throws IOException {
        return GuestDisk.convert(GuestDisk.raw(), "vdi", dir.resolve("d.vdi"));
    }

    private static void truncate(Path f, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    @Test
    void badSignatureAndTruncationAreCorrupt() throws Exception {
        Path img = dynamic();
        Path copy = Files.copy(img, dir.resolve("copy.vdi"));
        ImageOracle.patch(copy, 0x40, new byte[] {0, 0, 0, 0});
        assertThatThrownBy(() -> VdiImage.open(HostFile.open(copy), Openers.forDirectory(dir)))
                .isInstanceOfSatisfying(CorruptImageException.class, e -> assertThat(e.offset()).isEqualTo(0x40))
                .hasMessageContaining("signature");
        truncate(img, Files.size(img) / 2);
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThatThrownBy(() -> ImageOracle.sha256(d)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("block map").hasMessageContaining("past the end");
        }
        truncate(img, 0x100);
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("shorter than the header");
    }

    @Test
    void blockMapEntriesOutOfRangeAreCorrupt() throws Exception {
        Path img = dynamic();
        long mapAt = ByteBuffer.wrap(bytes(img, 0x154, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        long firstUsed = -1;
        for (int i = 0; i < 48 && firstUsed < 0; i++) {
            if (ByteBuffer.wrap(bytes(img, mapAt + 4L * i, 4)).getInt() != -1) firstUsed = i;
        }
        final long block = firstUsed;
        ImageOracle.patch(img, mapAt + 4 * block, new byte[] {0x00, 0x10, 0, 0});
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThatThrownBy(() -> d.map(block << 20, 4096)).isInstanceOfSatisfying(CorruptImageException.class,
                    e -> assertThat(e.offset()).isEqualTo(mapAt + 4 * block)).hasMessageContaining("beyond");
        }
        ImageOracle.patch(img, 0x154, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x3c0).array()); // 48 entries from 0x3c0 reach past the data at 0x400
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("overlaps the header or the data");
    }

    @Test
    void hugeDiskSizeIsRefused() throws Exception {
        Path img = dynamic();
        ImageOracle.patch(img, 0x170, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 62).array());
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("disk size 4611686018427387904 exceeds 48 blocks");
        // blocks in the disk raised to match: the block map would then run into the data
        ImageOracle.patch(img, 0x180, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1).array());
        ImageOracle.patch(img, 0x178, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(256 << 20).array());
        ImageOracle.patch(img, 0x170, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 59).array());
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("block map");
    }    @Test
    void randomDamageIsRejectedCleanly() throws Exception {
        Path img = GuestDisk.convert(Mutations.smallRaw(dir), "vdi", dir.resolve("m.vdi"));
        long[][] regions = {{0x40, 0x1c8 - 0x40}, {0x150, 0x40}, {0x200, 16}};
        int rejected = Mutations.run(img, regions, 200, 42, f -> VdiImage.open(f, Openers.forDirectory(dir)));
        System.out.println("vdi mutants rejected: " + rejected + " of 200");
        assertThat(rejected).isGreaterThan(20);
    }



}
