package io.vdetach.image.vhdx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.MissingFileException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.Guid;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.GuestDisk;
import io.vdetach.testkit.ImageOracle;
import io.vdetach.testkit.Mutations;
import io.vdetach.testkit.Openers;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VhdxImageTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"subformat=fixed", "subformat=dynamic", "subformat=dynamic,block_size=1M",
            "subformat=dynamic,block_size=32M", "subformat=fixed,block_size=1M"})
    void readsAndMapsLikeQemu(String opts) throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("d.vhdx"), "-o", opts);
        Path raw = GuestDisk.expand(img, "vhdx", dir.resolve("d.raw"));
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThat(d.format()).isEqualTo("vhdx");
            ImageOracle.Share s = ImageOracle.assertSameAsRaw(d, raw);
            System.out.printf("SHARE vhdx %s: virtual %d, mapped %d, aligned %d (%.4f), holes %d, runs %d; %s%n",
                    opts, d.size(), s.mappedBytes(), s.alignedBytes(), s.ratio(), s.holeBytes(), s.runs(),
                    d.chain().getFirst().detail());
            assertThat(d.chain().getFirst().detail()).startsWith(opts.substring("subformat=".length()).split(",")[0]);
        }
    }

    @Test
    void corpusFixedVhdxFromWindowsWithStaleLog() throws Exception {
        Path img = Corpus.file("dissect.hypervisor/fixed.vhdx");
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThat(d.size()).isEqualTo(0xA00000L);
            assertThat(ImageOracle.sha256(d)).isEqualTo("bc0be4623b15aa84216fb31ba24e3b621ec7f1c72d198c990ac0eced222d9f62");
            ImageOracle.Share s = ImageOracle.assertMapMatches(d, d);
            System.out.printf("SHARE corpus fixed.vhdx: virtual %d, mapped %d, aligned %d (%.4f), holes %d, runs %d%n",
                    d.size(), s.mappedBytes(), s.alignedBytes(), s.ratio(), s.holeBytes(), s.runs());
            assertThat(d.chain().getFirst().detail()).contains("fixed", "block size 2097152", "logical sector 512",
                    "Microsoft Windows 10.0.18363.0", "header sequence 7");
            assertThat(d.chain().getFirst().detail()).contains("disk id 4a49d245-db0a-4634-9818-9f93db5ba6c1");
            // SHA-256 of the 512 MBR bytes asserted in dissect's tests/disk/test_vhdx.py::test_vhdx_fixed
            assertThat(ImageOracle.sha256(new io.vdetach.extent.Window(d, 0, 512, "mbr")))
                    .isEqualTo("06c37267f8b87089c014939d244107c245465869dd6559d2a21231c041dbc363");
            ByteBuffer ff = d.readBytes(0x200000, 512);
            for (int i = 0; i < 512; i++) assertThat(ff.get(i)).isEqualTo((byte) 0xff);
            for (Run r : d.map(0, d.size())) assertThat(r).isInstanceOf(Run.Mapped.class); // every block FULLY_PRESENT
        }
    }

    // ---- log replay: qemu-img cannot leave a dirty log behind (it replays its own log before it
    // returns, even after qemu-io's "abort"), so a log entry is written into a qemu-made image as
    // [MS-VHDX] 2.3.1 describes. The oracle is qemu's own replay: `qemu-img check -r all` on a
    // copy, then `qemu-img convert -O raw`.

    @Test
    void dirtyLogIsReplayedInMemoryLikeQemuReplaysIt() throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("d.vhdx"), "-o", "subformat=dynamic,block_size=1M");
        VhdxRegionTable.Entry batRegion = region(img, VhdxImage.BAT_REGION);
        ByteBuffer batPage = read(img, batRegion.fileOffset(), 4096);
        long entry0 = batPage.getLong(0);
        long block0 = (entry0 >>> 20) << 20;
        assertThat(entry0 & 7).isEqualTo(6);
        assertThat(batPage.getLong(45 * 8) & 7).isNotEqualTo(6); // MiB 41..46 of the disk are zeros
        byte[] pattern = new byte[4096];
        java.util.Arrays.fill(pattern, (byte) 0x5a);
        for (int i = 0; i < 8; i++) pattern[i] = (byte) (0x11 + i);           // leading bytes
        for (int i = 4092; i < 4096; i++) pattern[i] = (byte) (0x21 + i - 4092); // trailing bytes
        batPage.putLong(45 * 8, entry0); // block 45 now shows block 0's data
        Guid guid = Guid.of("0A0B0C0D-1111-2222-3333-444455556666");
        byte[] entry = logEntry(20, guid, Files.size(img), new Object[][] {
                {block0 + 4096, pattern}, {block0 + 16384, 8192L}, {batRegion.fileOffset(), batPage.array()}});
        long logAt = VhdxHeader.parse(read(img, 64 * 1024, 4096), 0).logOffset();
        write(img, logAt, entry);
        for (long at : new long[] {64 * 1024, 128 * 1024}) {
            ByteBuffer h = read(img, at, 4096);
            putGuid(h, 48, guid);
            write(img, at, h.array());
            fixCrc(img, at, VhdxHeader.SIZE);
        }
        // damaged copies of the dirty image: the log parser must reject them cleanly
        Path small = Files.copy(img, dir.resolve("dirty-mutants.vhdx"));
        int rejected = Mutations.run(small, new long[][] {{logAt, entry.length}}, 20, 7,
                f -> VhdxImage.open(f, Openers.forDirectory(dir)));
        assertThat(rejected).isPositive();
        Path qemuCopy = Files.copy(img, dir.resolve("qemu-replayed.vhdx"));
        Sh.run("qemu-img", "check", "-q", "-r", "all", qemuCopy.toString());
        Path expected = GuestDisk.expand(qemuCopy, "vhdx", dir.resolve("expected.raw"));
        String before = ImageOracle.sha256(img);
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThat(d.warnings()).singleElement().asString().contains("replayed in memory");
            ImageOracle.assertSameAsRaw(d, expected);
            // the replayed 4 KiB exists only in the log; the zeroed 8 KiB is a hole; block 45 maps onto block 0
            assertThat(d.map(4096, 4096)).singleElement().isInstanceOf(Run.Materialise.class);
            assertThat(d.map(16384, 8192)).singleElement().isInstanceOf(Run.Hole.class);
            assertThat(d.map(45L << 20, 4096)).singleElement().isInstanceOfSatisfying(Run.Mapped.class,
                    m -> assertThat(m.offset()).isEqualTo(block0));
        }
        assertThat(ImageOracle.sha256(img)).as("the image is never written").isEqualTo(before);
    }

    @Test
    void onlyTheActiveSequenceIsReplayedAndItMayWrap() throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("d.vhdx"), "-o", "subformat=dynamic,block_size=1M");
        long block0 = (read(img, region(img, VhdxImage.BAT_REGION).fileOffset(), 8).getLong(0) >>> 20) << 20;
        VhdxHeader h = VhdxHeader.parse(read(img, 64 * 1024, 4096), 0);
        long logAt = h.logOffset();
        int n = (int) (h.logLength() / 4096);
        long size = Files.size(img);
        Guid guid = Guid.of("0A0B0C0D-1111-2222-3333-444455556666");
        long tail = (n - 1) * 4096L;
        // an older, complete sequence (seq 5): valid, but not the active one
        writeCircular(img, logAt, n, 50, logEntry(5, 50 * 4096L, guid, size, new Object[][] {{block0 + 12288, fill(0x7c)}}));
        // an entry of another log (other GUID): ignored
        writeCircular(img, logAt, n, 60, logEntry(99, 60 * 4096L, Guid.of("11111111-1111-1111-1111-111111111111"),
                size, new Object[][] {{block0 + 12288, fill(0x3d)}}));
        // the active sequence: seq 30 from the log's last sector, wrapping to sector 0; seq 31 after it
        writeCircular(img, logAt, n, n - 1, logEntry(30, tail, guid, size, new Object[][] {{block0 + 4096, fill(0x5a)}}));
        writeCircular(img, logAt, n, 1, logEntry(31, tail, guid, size, new Object[][] {
                {block0 + 4096, fill(0x6b)}, {block0 + 8192, 4096L}}));
        for (long at : new long[] {64 * 1024, 128 * 1024}) {
            ByteBuffer hb = read(img, at, 4096);
            putGuid(hb, 48, guid);
            write(img, at, hb.array());
            fixCrc(img, at, VhdxHeader.SIZE);
        }
        Path qemuCopy = Files.copy(img, dir.resolve("qemu-replayed.vhdx"));
        Sh.run("qemu-img", "check", "-q", "-r", "all", qemuCopy.toString());
        Path expected = GuestDisk.expand(qemuCopy, "vhdx", dir.resolve("expected.raw"));
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            ImageOracle.assertSameAsRaw(d, expected);
            assertThat(d.readBytes(4096, 1).get(0)).isEqualTo((byte) 0x6b); // the later entry wins
            assertThat(d.map(12288, 4096)).singleElement().isInstanceOf(Run.Mapped.class); // seq 5 not replayed
        }
    }

    private static byte[] fill(int v) {
        byte[] b = new byte[4096];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    /** Writes a log entry at sector {@code start} of a circular log of {@code n} sectors. */
    private static void writeCircular(Path f, long logAt, int n, int start, byte[] entry) throws IOException {
        for (int i = 0; i < entry.length / 4096; i++) {
            write(f, logAt + (long) ((start + i) % n) * 4096, java.util.Arrays.copyOfRange(entry, i * 4096, (i + 1) * 4096));
        }
    }

    @Test
    void dirtyLogWithoutAValidSequenceIsCorrupt() throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("d.vhdx"), "-o", "subformat=dynamic");
        for (long at : new long[] {64 * 1024, 128 * 1024}) {
            ImageOracle.patch(img, at + 48, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
            fixCrc(img, at, VhdxHeader.SIZE);
        }
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("LogGuid 04030201-0605-0807-090a-0b0c0d0e0f10").hasMessageContaining("no valid sequence");
    }

    /** A log entry as [MS-VHDX] 2.3.1 lays it out: {offset, byte[4096]} data or {offset, Long length} zero descriptors. */
    private static byte[] logEntry(long seq, Guid guid, long fileSize, Object[][] descs) {
        return logEntry(seq, 0, guid, fileSize, descs);
    }

    private static byte[] logEntry(long seq, long tail, Guid guid, long fileSize, Object[][] descs) {
        int dataCount = 0;
        for (Object[] d : descs) if (d[1] instanceof byte[]) dataCount++;
        int headerSectors = (64 + 32 * descs.length + 4095) / 4096;
        byte[] e = new byte[(headerSectors + dataCount) * 4096];
        ByteBuffer b = ByteBuffer.wrap(e).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x65676f6c).putInt(8, e.length).putInt(12, (int) tail).putLong(16, seq).putInt(24, descs.length);
        putGuid(b, 32, guid);
        b.putLong(48, fileSize).putLong(56, fileSize);
        int sector = headerSectors;
        for (int i = 0; i < descs.length; i++) {
            int at = 64 + 32 * i;
            long offset = (Long) descs[i][0];
            if (descs[i][1] instanceof byte[] block) {
                ByteBuffer blk = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(at, 0x63736564).putInt(at + 4, blk.getInt(4092)).putLong(at + 8, blk.getLong(0));
                int ds = sector++ * 4096;
                b.putInt(ds, 0x61746164).putInt(ds + 4, (int) (seq >>> 32)).put(ds + 8, block, 8, 4084).putInt(ds + 4092, (int) seq);
            } else {
                b.putInt(at, 0x6f72657a).putLong(at + 8, (Long) descs[i][1]);
            }
            b.putLong(at + 16, offset).putLong(at + 24, seq);
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(e);
        b.putInt(4, (int) crc.getValue());
        return e;
    }

    @Test
    void oneBadHeaderUsesTheOtherBothBadIsCorrupt() throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("d.vhdx"), "-o", "subformat=dynamic");
        Path raw = GuestDisk.expand(img, "vhdx", dir.resolve("d.raw"));
        ImageOracle.patch(img, 64 * 1024 + 200, new byte[] {7});
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            ImageOracle.assertSameAsRaw(d, raw);
        }
        ImageOracle.patch(img, 128 * 1024 + 200, new byte[] {7});
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT))
                .isInstanceOfSatisfying(CorruptImageException.class, e -> {
                    assertThat(e.format()).isEqualTo("vhdx");
                    assertThat(e.structure()).isEqualTo("header");
                    assertThat(e.offset()).isEqualTo(65536);
                }).hasMessageContaining("both headers").hasMessageContaining("CRC-32C");
    }

    @Test
    void badRegionTablesAndUnknownRequiredRegions() throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("d.vhdx"), "-o", "subformat=dynamic");
        Path copy = dir.resolve("copy.vhdx");
        Files.copy(img, copy);
        // an extra required region of an unknown kind, CRC fixed: valid but unsupported
        for (long at : new long[] {192 * 1024, 256 * 1024}) {
            ByteBuffer t = read(copy, at, VhdxRegionTable.SIZE);
            int n = t.getInt(8);
            int e = 16 + n * 32;
            putGuid(t, e, Guid.of("11111111-2222-3333-4444-555555555555"));
            t.putLong(e + 16, 1 << 20).putInt(e + 24, 1 << 20).putInt(e + 28, 1).putInt(8, n + 1);
            write(copy, at, t.array());
            fixCrc(copy, at, VhdxRegionTable.SIZE);
        }
        assertThatThrownBy(() -> ImageOpener.open(copy, OpenOptions.DEFAULT)).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("required region 11111111-2222-3333-4444-555555555555");
        ImageOracle.patch(img, 192 * 1024 + 40, new byte[] {1});
        ImageOracle.patch(img, 256 * 1024 + 40, new byte[] {1});
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("region table").hasMessageContaining("both copies");
    }

    @Test
    void badMagicAndTruncationAreCorrupt() throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("d.vhdx"), "-o", "subformat=dynamic,block_size=1M");
        Path copy = dir.resolve("copy.vhdx");
        Files.copy(img, copy);
        ImageOracle.patch(copy, 0, "vhdxfilX".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> VhdxImage.open(HostFile.open(copy), Openers.forDirectory(dir)))
                .isInstanceOf(CorruptImageException.class).hasMessageContaining("vhdxfile");
        truncate(img, Files.size(img) / 2);
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThatThrownBy(() -> ImageOracle.sha256(d)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("BAT").hasMessageContaining("past the end");
        }
        truncate(img, 100_000);
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("1 MiB header section");
    }

    @Test
    void batEntriesPastTheEndOrIntoStructuresAreCorrupt() throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("d.vhdx"), "-o", "subformat=dynamic,block_size=1M");
        long batAt = region(img, VhdxImage.BAT_REGION).fileOffset();
        long mdAt = region(img, VhdxImage.METADATA_REGION).fileOffset();
        for (long target : new long[] {1L << 40, 0, mdAt, batAt}) {
            ImageOracle.patch(img, batAt, le(6 | (target >>> 20) << 20));
            try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
                assertThatThrownBy(() -> d.map(0, 512)).isInstanceOfSatisfying(CorruptImageException.class,
                        e -> assertThat(e.offset()).isEqualTo(batAt)).hasMessageContaining(target > 0 && target == 1L << 40
                        ? "past the end" : "overlaps");
            }
        }
        ImageOracle.patch(img, batAt, le(4)); // reserved state
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThatThrownBy(() -> d.map(0, 512)).isInstanceOf(CorruptImageException.class).hasMessageContaining("reserved state");
        }
    }

    @Test
    void hugeVirtualSizeIsRefused() throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("d.vhdx"), "-o", "subformat=dynamic");
        long sizeAt = item(img, VhdxMetadata.VIRTUAL_DISK_SIZE);
        ImageOracle.patch(img, sizeAt, le(1L << 62));
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("virtual disk size of 4611686018427387904 bytes").hasMessageContaining("64 TiB");
        // within the spec's maximum but far more than the BAT region holds
        ImageOracle.patch(img, sizeAt, le(60L << 40));
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("BAT");
    }

    // ---- differencing: qemu-img cannot create differencing VHDX ("Backing file not supported for file
    // format 'vhdx'") nor read them, so a qemu-made dynamic child gets HasParent and a parent locator
    // as [MS-VHDX] 2.6.2.1 and 2.6.2.6 describe; the expected disk is built with dd from qemu's expansions.

    private record Chain(Path base, Path child, Path baseRaw, Path childRaw) {}

    private Chain chain() throws Exception {
        Path base = GuestDisk.convert(GuestDisk.raw(), "vhdx", dir.resolve("base.vhdx"), "-o", "subformat=dynamic");
        Path child = dir.resolve("child.vhdx");
        Sh.run("qemu-img", "create", "-q", "-f", "vhdx", "-o", "subformat=dynamic,block_size=1M", child.toString(), "48M");
        Sh.run("qemu-io", "-f", "vhdx", "-c", "write -P 0xcd 2M 64k", child.toString());
        Path childRaw = GuestDisk.expand(child, "vhdx", dir.resolve("child-alone.raw"));
        return new Chain(base, child, GuestDisk.expand(base, "vhdx", dir.resolve("base.raw")), childRaw);
    }

    @Test
    void differencingChainReadsTheParentWhereTheChildHasNothing() throws Exception {
        Chain c = chain();
        Map<String, String> loc = new LinkedHashMap<>();
        loc.put("parent_linkage", "{" + dataWriteGuid(c.base()) + "}");
        loc.put("relative_path", ".\\base.vhdx");
        loc.put("absolute_win32_path", "C:\\VMs\\base.vhdx");
        makeDifferencing(c.child(), loc);
        Path expected = dir.resolve("expected.raw");
        Files.copy(c.baseRaw(), expected);
        // block 2 (1 MiB blocks) is FULLY_PRESENT in the child: all of it comes from the child
        Sh.run("dd", "if=" + c.childRaw(), "of=" + expected, "bs=1M", "skip=2", "seek=2", "count=1", "conv=notrunc", "status=none");
        try (DiskImage d = ImageOpener.open(c.child(), OpenOptions.DEFAULT)) {
            assertThat(d.warnings()).isEmpty();
            assertThat(d.chain()).hasSize(2);
            assertThat(d.chain().get(0).detail()).startsWith("differencing");
            ImageOracle.assertSameAsRaw(d, expected);
        }
    }

    @Test
    void partiallyPresentBlocksFollowTheSectorBitmap() throws Exception {
        Chain c = chain();
        Map<String, String> loc = new LinkedHashMap<>();
        loc.put("parent_linkage", "{00000000-0000-0000-0000-000000000001}"); // wrong: a warning
        loc.put("absolute_win32_path", "D:\\elsewhere\\base.vhdx");
        makeDifferencing(c.child(), loc);
        VhdxRegionTable.Entry bat = region(c.child(), VhdxImage.BAT_REGION);
        long end = Files.size(c.child());
        assertThat(end % (1 << 20)).isZero();
        long chunkRatio = (1L << 23) * 512 / (1 << 20);
        // payload block 2 → PARTIALLY_PRESENT; the chunk's sector bitmap block appended at the end
        long entry2 = read(c.child(), bat.fileOffset() + 16, 8).getLong(0);
        ImageOracle.patch(c.child(), bat.fileOffset() + 16, le(entry2 & ~7L | 7));
        ImageOracle.patch(c.child(), bat.fileOffset() + chunkRatio * 8, le(6 | end));
        byte[] bitmap = new byte[1 << 20];
        for (int i = 0; i < 16; i++) bitmap[512 + i] = (byte) 0xff; // block 2 = sectors 4096.., first 128 set
        bitmap[512] = (byte) 0xdf; // but sector 5 (bit 5 of the byte): parent
        write(c.child(), end, bitmap);
        Path expected = dir.resolve("expected.raw");
        Files.copy(c.baseRaw(), expected);
        Sh.run("dd", "if=" + c.childRaw(), "of=" + expected, "bs=64k", "skip=32", "seek=32", "count=1", "conv=notrunc", "status=none");
        Sh.run("dd", "if=" + c.baseRaw(), "of=" + expected, "bs=512", "skip=4101", "seek=4101", "count=1", "conv=notrunc", "status=none");
        try (DiskImage d = ImageOpener.open(c.child(), OpenOptions.DEFAULT)) {
            assertThat(d.warnings()).singleElement().asString().contains("parent_linkage");
            ImageOracle.assertSameAsRaw(d, expected);
            assertThat(d.map(2L << 20, 1 << 20).getFirst().length()).isEqualTo(5 * 512);
        }
    }

    @Test
    void parentCycleAndMissingParentAreCorrupt() throws Exception {
        Chain c = chain();
        Map<String, String> loc = new LinkedHashMap<>();
        loc.put("relative_path", "child.vhdx");
        makeDifferencing(c.child(), loc);
        assertThatThrownBy(() -> ImageOpener.open(c.child(), OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("cycle");
        Files.move(c.child(), dir.resolve("other.vhdx"));
        assertThatThrownBy(() -> ImageOpener.open(dir.resolve("other.vhdx"), OpenOptions.DEFAULT))
                .isInstanceOf(MissingFileException.class).hasMessageContaining("parent not found");
    }

    @Test
    void randomDamageIsRejectedCleanly() throws Exception {
        Path img = GuestDisk.convert(Mutations.smallRaw(dir), "vhdx", dir.resolve("m.vhdx"), "-o", "subformat=dynamic,block_size=1M");
        long bat = region(img, VhdxImage.BAT_REGION).fileOffset();
        long md = region(img, VhdxImage.METADATA_REGION).fileOffset();
        long[][] regions = {{0, 1024}, {64 * 1024, 128}, {192 * 1024, 256}, {bat, 64}, {md, 256}, {md + 64 * 1024, 256}};
        int rejected = Mutations.run(img, regions, 100, 42, f -> VhdxImage.open(f, Openers.forDirectory(dir)));
        System.out.println("vhdx mutants rejected: " + rejected + " of 100");
        assertThat(rejected).isGreaterThan(20);
    }


    // ---- helpers (test side)

    private static ByteBuffer read(Path f, long at, int len) throws IOException {
        try (HostFile h = HostFile.open(f)) {
            return h.readBytes(at, len);
        }
    }

    private static void write(Path f, long at, byte[] b) throws IOException {
        ImageOracle.patch(f, at, b);
    }

    private static void truncate(Path f, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static byte[] le(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static void putGuid(ByteBuffer b, int at, Guid g) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        le.putInt(at, (int) (g.high() >>> 32)).putShort(at + 4, (short) (g.high() >>> 16)).putShort(at + 6, (short) g.high());
        b.duplicate().order(ByteOrder.BIG_ENDIAN).putLong(at + 8, g.low());
    }

    /** Recomputes the CRC-32C of a header or region table in place (java.util.zip.CRC32C). */
    private static void fixCrc(Path f, long at, int len) throws IOException {
        ByteBuffer b = read(f, at, len);
        b.putInt(4, 0);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array());
        b.putInt(4, (int) crc.getValue());
        write(f, at, b.array());
    }

    private static VhdxRegionTable.Entry region(Path f, Guid id) throws IOException {
        return VhdxRegionTable.parse(read(f, 192 * 1024, VhdxRegionTable.SIZE), 0).entries().stream()
                .filter(e -> e.guid().equals(id)).findFirst().orElseThrow();
    }

    private static long item(Path f, Guid id) throws IOException {
        long md = region(f, VhdxImage.METADATA_REGION).fileOffset();
        return md + VhdxMetadataTable.parse(read(f, md, VhdxMetadataTable.SIZE), md).entries().stream()
                .filter(e -> e.itemId().equals(id)).findFirst().orElseThrow().offset();
    }

    private static Guid dataWriteGuid(Path f) throws IOException {
        VhdxHeader a = VhdxHeader.parse(read(f, 64 * 1024, 4096), 0);
        VhdxHeader b = VhdxHeader.parse(read(f, 128 * 1024, 4096), 0);
        return (a.sequenceNumber() > b.sequenceNumber() ? a : b).dataWriteGuid();
    }

    /** Sets HasParent and adds a parent locator item (UTF-16LE key/value pairs) to a qemu-made VHDX. */
    private static void makeDifferencing(Path f, Map<String, String> kv) throws IOException {
        // qemu creates every block in state ZERO, which in a differencing disk would hide the
        // parent; a new differencing disk has them NOT_PRESENT ([MS-VHDX] 2.5.1.1)
        VhdxRegionTable.Entry batRegion = region(f, VhdxImage.BAT_REGION);
        ByteBuffer bat = read(f, batRegion.fileOffset(), (int) batRegion.length()).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at < bat.limit(); at += 8) {
            if ((bat.getLong(at) & 7) == 2) bat.putLong(at, 0);
        }
        write(f, batRegion.fileOffset(), bat.array());
        VhdxRegionTable.Entry md = region(f, VhdxImage.METADATA_REGION);
        ByteBuffer table = read(f, md.fileOffset(), VhdxMetadataTable.SIZE);
        int count = table.getShort(10);
        long free = 0;
        for (int i = 0; i < count; i++) {
            int e = 32 + 32 * i;
            free = Math.max(free, Integer.toUnsignedLong(table.getInt(e + 16)) + table.getInt(e + 20));
            if (Guid.read(table, e).equals(VhdxMetadata.FILE_PARAMETERS)) {
                long at = md.fileOffset() + table.getInt(e + 16) + 4;
                int flags = read(f, at, 4).getInt(0);
                write(f, at, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(flags | 2).array());
            }
        }
        free = (free + 4095) / 4096 * 4096;
        ByteBuffer item = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        putGuid(item, 0, VhdxParentLocator.VHDX_LOCATOR);
        item.putShort(18, (short) kv.size());
        int str = 20 + 12 * kv.size();
        int i = 0;
        for (var e : kv.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_16LE);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_16LE);
            int at = 20 + 12 * i++;
            item.putInt(at, str).put(str, k);
            item.putInt(at + 4, str + k.length).put(str + k.length, v);
            item.putShort(at + 8, (short) k.length).putShort(at + 10, (short) v.length);
            str += k.length + v.length;
        }
        write(f, md.fileOffset() + free, item.array());
        int e = 32 + 32 * count;
        putGuid(table, e, VhdxMetadata.PARENT_LOCATOR);
        table.putInt(e + 16, (int) free).putInt(e + 20, str).putInt(e + 24, 4 | 2);
        table.putShort(10, (short) (count + 1));
        write(f, md.fileOffset(), table.array());
    }
}
