package io.vdetach.image.vhd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.MissingFileException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VhdImageTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"fixed", "dynamic", "fixed,force_size=on", "dynamic,force_size=on"})
    void readsAndMapsLikeQemu(String subformat) throws Exception {
        Path img = GuestDisk.convert(GuestDisk.raw(), "vpc", dir.resolve("d.vhd"), "-o", "subformat=" + subformat);
        Path raw = GuestDisk.expand(img, "vpc", dir.resolve("d.raw"));
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThat(d.format()).isEqualTo("vhd");
            ImageOracle.Share s = ImageOracle.assertSameAsRaw(d, raw);
            System.out.printf("SHARE vpc subformat=%s: virtual %d, mapped %d, aligned %d (%.4f), holes %d, runs %d%n",
                    subformat, d.size(), s.mappedBytes(), s.alignedBytes(), s.ratio(), s.holeBytes(), s.runs());
            assertThat(d.chain()).singleElement().satisfies(l -> assertThat(l.detail()).startsWith(subformat.split(",")[0]));
            if (subformat.startsWith("dynamic")) assertThat(s.holeBytes()).isPositive();
        }
    }

    @Test
    void corpusDynamicVhdFromWindows() throws Exception {
        Path img = Corpus.file("dissect.hypervisor/dynamic.vhd");
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThat(d.size()).isEqualTo(10_485_760L); // creator "win ": current_size, not CHS 10,479,616
            assertThat(ImageOracle.sha256(d)).isEqualTo("ecff2ef6615a3cddc6a6885f1c6d9cf13a232697e1dc6575f2c2f01f57247784");
            ImageOracle.Share s = ImageOracle.assertMapMatches(d, d);
            System.out.printf("SHARE corpus dynamic.vhd: virtual %d, mapped %d, aligned %d (%.4f), holes %d, runs %d%n",
                    d.size(), s.mappedBytes(), s.alignedBytes(), s.ratio(), s.holeBytes(), s.runs());
            // SHA-256 of the 512 MBR bytes asserted in dissect's tests/disk/test_vhd.py::test_vhd_dynamic
            assertThat(ImageOracle.sha256(new io.vdetach.extent.Window(d, 0, 512, "mbr")))
                    .isEqualTo("ac22463298b6e8d85e8f24f310b73aedf6917f740c16fb126730d97ac51e6d0a");
            ByteBuffer mbr = d.readBytes(0, 512);
            assertThat(mbr.getShort(510) & 0xffff).isEqualTo(0xaa55);
            assertThat(mbr.get(0x1c2)).isEqualTo((byte) 0x07);
            assertThat(mbr.getInt(0x1c6)).isEqualTo(128);
            ByteBuffer ff = d.readBytes(0x200000, 512);
            for (int i = 0; i < 512; i++) assertThat(ff.get(i)).isEqualTo((byte) 0xff);
            ByteBuffer zeros = d.readBytes(0x3fffL * 512, 16 * 512);
            for (int i = 0; i < 16 * 512; i++) assertThat(zeros.get(i)).isZero();
            for (int block : new int[] {2, 4}) {
                assertThat(d.map(block * (2L << 20), 2L << 20)).singleElement().isInstanceOf(Run.Hole.class);
            }
            for (int block : new int[] {0, 1, 3}) {
                assertThat(d.map(block * (2L << 20), 2L << 20)).singleElement().isInstanceOf(Run.Mapped.class);
            }
            assertThat(d.chain().getFirst().detail()).contains("dynamic", "\"win \"");
        }
    }

    // ---- differencing: qemu-img cannot create differencing VHDs ("Backing file not supported for
    // file format 'vpc'"), so a qemu-made dynamic child is turned into one by patching its
    // footer and header the way the spec describes (disk type 4, parent id, name, locators).

    private record Chain(Path base, Path child, Path baseRaw, Path childRaw) {}

    private Chain chain() throws Exception {
        Path base = GuestDisk.convert(GuestDisk.raw(), "vpc", dir.resolve("base.vhd"), "-o", "subformat=dynamic,force_size=on");
        Path child = dir.resolve("child.vhd");
        Sh.run("qemu-img", "create", "-q", "-f", "vpc", "-o", "subformat=dynamic,force_size=on", child.toString(), "48M");
        Sh.run("qemu-io", "-f", "vpc", "-c", "write -P 0xcd 2M 64k", child.toString());
        Path childRaw = GuestDisk.expand(child, "vpc", dir.resolve("child-alone.raw"));
        return new Chain(base, child, GuestDisk.expand(base, "vpc", dir.resolve("base.raw")), childRaw);
    }

    @ParameterizedTest
    @ValueSource(strings = {"W2ru", "W2ku", "name"})
    void differencingFollowsParentAndBitmaps(String how) throws Exception {
        Chain c = chain();
        byte[] baseId = footer(c.base()).uniqueId();
        switch (how) {
            case "W2ru" -> makeDifferencing(c.child(), ".\\base.vhd", null, "", baseId);
            case "W2ku" -> makeDifferencing(c.child(), null, "C:\\VMs\\base.vhd", "", baseId);
            default -> makeDifferencing(c.child(), null, null, "base.vhd", baseId);
        }
        // qemu allocated block 1 (2..4 MiB) with every bitmap bit set: the whole block is the child's
        Path expected = dir.resolve("expected.raw");
        Files.copy(c.baseRaw(), expected);
        Sh.run("dd", "if=" + c.childRaw(), "of=" + expected, "bs=1M", "skip=2", "seek=2", "count=2", "conv=notrunc", "status=none");
        try (DiskImage d = ImageOpener.open(c.child(), OpenOptions.DEFAULT)) {
            assertThat(d.warnings()).isEmpty();
            assertThat(d.chain()).hasSize(2);
            assertThat(d.chain().get(0).detail()).startsWith("differencing");
            assertThat(d.chain().get(1).file()).isEqualTo(c.base().toRealPath());
            ImageOracle.assertSameAsRaw(d, expected);
        }
    }

    @Test
    void clearBitmapBitsReadTheParent() throws Exception {
        Chain c = chain();
        makeDifferencing(c.child(), ".\\base.vhd", null, "", footer(c.base()).uniqueId());
        // block 1's bitmap is at sector 4 (qemu's first block): keep sectors 0..127 (the 64 KiB
        // written) but sector 5, clear the rest
        long bitmapAt = 4 * 512;
        byte[] bm = new byte[512];
        for (int i = 0; i < 16; i++) bm[i] = (byte) 0xff;
        bm[0] = (byte) 0xfb; // sector 5: bit 0x80 >> 5
        ImageOracle.patch(c.child(), bitmapAt, bm);
        Path expected = dir.resolve("expected.raw");
        Files.copy(c.baseRaw(), expected);
        Sh.run("dd", "if=" + c.childRaw(), "of=" + expected, "bs=64k", "skip=32", "seek=32", "count=1", "conv=notrunc", "status=none");
        Sh.run("dd", "if=" + c.baseRaw(), "of=" + expected, "bs=512", "skip=4101", "seek=4101", "count=1", "conv=notrunc", "status=none");
        try (DiskImage d = ImageOpener.open(c.child(), OpenOptions.DEFAULT)) {
            ImageOracle.assertSameAsRaw(d, expected);
            List<Run> runs = d.map(2L << 20, 2L << 20);
            assertThat(runs.get(0)).isInstanceOf(Run.Mapped.class);
            assertThat(((Run.Mapped) runs.get(0)).target()).isInstanceOfSatisfying(HostFile.class,
                    f -> assertThat(f.path().getFileName().toString()).isEqualTo("child.vhd"));
            assertThat(runs.get(0).length()).isEqualTo(5 * 512);
            assertThat(((HostFile) ((Run.Mapped) runs.get(1)).target()).path().getFileName().toString()).isEqualTo("base.vhd");
        }
    }

    @Test
    void aParentOfAnotherFormatIsReadThroughItsOwnMap() throws Exception {
        Chain c = chain();
        Files.copy(c.baseRaw(), dir.resolve("base.img"));
        makeDifferencing(c.child(), ".\\base.img", null, "", new byte[16]);
        Path expected = dir.resolve("expected.raw");
        Files.copy(c.baseRaw(), expected);
        Sh.run("dd", "if=" + c.childRaw(), "of=" + expected, "bs=1M", "skip=2", "seek=2", "count=2", "conv=notrunc", "status=none");
        try (DiskImage d = ImageOpener.open(c.child(), OpenOptions.DEFAULT)) {
            assertThat(d.chain()).extracting(DiskImage.ChainLink::format).containsExactly("vhd", "raw");
            ImageOracle.assertSameAsRaw(d, expected);
        }
    }

    @Test
    void parentIdMismatchIsAWarning() throws Exception {
        Chain c = chain();
        makeDifferencing(c.child(), ".\\base.vhd", null, "", new byte[16]);
        try (DiskImage d = ImageOpener.open(c.child(), OpenOptions.DEFAULT)) {
            assertThat(d.warnings()).singleElement().asString().contains("unique id");
        }
    }

    @Test
    void parentCycleIsCorrupt() throws Exception {
        Chain c = chain();
        makeDifferencing(c.child(), ".\\child.vhd", null, "", new byte[16]);
        assertThatThrownBy(() -> ImageOpener.open(c.child(), OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("cycle");
    }

    @Test
    void missingParentIsCorrupt() throws Exception {
        Chain c = chain();
        makeDifferencing(c.child(), ".\\gone.vhd", "C:\\x\\gone2.vhd", "gone3.vhd", new byte[16]);
        assertThatThrownBy(() -> ImageOpener.open(c.child(), OpenOptions.DEFAULT)).isInstanceOf(MissingFileException.class)
                .hasMessageContaining("parent not found").hasMessageContaining("gone.vhd").hasMessageContaining("gone3.vhd");
    }

    @Test
    void parentOutsideTheDirectoryIsRefused() throws Exception {
        Chain c = chain();
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path child = Files.move(c.child(), sub.resolve("child.vhd"));
        makeDifferencing(child, "..\\base.vhd", null, "", new byte[16]);
        assertThatThrownBy(() -> ImageOpener.open(child, OpenOptions.DEFAULT)).isInstanceOf(MissingFileException.class)
                .hasMessageContaining("outside");
    }

    // ---- corruption

    private Path dynamic() {
        try {
            return GuestDisk.convert(GuestDisk.raw(), "vpc", dir.resolve("d.vhd"), "-o", "subformat=dynamic,force_size=on");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void damagedEndFooterFallsBackToTheCopy() throws Exception {
        Path img = dynamic();
        Path raw = GuestDisk.expand(img, "vpc", dir.resolve("d.raw"));
        long end = Files.size(img);
        ImageOracle.patch(img, end - 512 + 100, new byte[] {1, 2, 3}); // checksum now wrong
        try (DiskImage d = VhdImage.open(HostFile.open(img), Openers.forDirectory(dir))) {
            assertThat(d.warnings()).singleElement().asString().contains("copy at offset 0");
            ImageOracle.assertSameAsRaw(d, raw);
        }
    }

    @Test
    void bothFootersBadIsCorrupt() throws Exception {
        Path img = dynamic();
        ImageOracle.patch(img, Files.size(img) - 512 + 100, new byte[] {1});
        ImageOracle.patch(img, 100, new byte[] {1});
        long endAt = Files.size(img) - 512;
        assertThatThrownBy(() -> VhdImage.open(HostFile.open(img), Openers.forDirectory(dir)))
                .isInstanceOfSatisfying(CorruptImageException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(3);
                    assertThat(e.format()).isEqualTo("vhd");
                    assertThat(e.structure()).isEqualTo("footer");
                    assertThat(e.offset()).isEqualTo(endAt);
                }).hasMessageContaining("checksum");
    }

    @Test
    void badMagicIsCorrupt() throws Exception {
        Path img = dynamic();
        ImageOracle.patch(img, Files.size(img) - 512, "XXXXXXXX".getBytes(StandardCharsets.US_ASCII));
        ImageOracle.patch(img, 0, "XXXXXXXX".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> VhdImage.open(HostFile.open(img), Openers.forDirectory(dir)))
                .isInstanceOf(CorruptImageException.class).hasMessageContaining("conectix");
    }

    @Test
    void badDynamicHeaderChecksumIsCorrupt() throws Exception {
        Path img = dynamic();
        ImageOracle.patch(img, 512 + 700, new byte[] {9});
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT))
                .isInstanceOfSatisfying(CorruptImageException.class, e -> assertThat(e.offset()).isEqualTo(512))
                .hasMessageContaining("dynamic disk header").hasMessageContaining("checksum");
    }

    @Test
    void truncatedFilesAreCorrupt() throws Exception {
        Path img = dynamic();
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(img) / 2);
        }
        // the end footer is gone: the copy at 0 is used, and blocks past the end are corruption
        try (DiskImage d = VhdImage.open(HostFile.open(img), Openers.forDirectory(dir))) {
            assertThatThrownBy(() -> ImageOracle.sha256(d)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("BAT").hasMessageContaining("past");
        }
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(300);
        }
        assertThatThrownBy(() -> VhdImage.open(HostFile.open(img), Openers.forDirectory(dir)))
                .isInstanceOf(CorruptImageException.class).hasMessageContaining("too small");
        Path fixed = GuestDisk.convert(GuestDisk.raw(), "vpc", dir.resolve("f.vhd"), "-o", "subformat=fixed,force_size=on");
        byte[] footer = new byte[512];
        try (HostFile f = HostFile.open(fixed)) {
            f.readFully(f.size() - 512, ByteBuffer.wrap(footer));
        }
        try (var ch = java.nio.channels.FileChannel.open(fixed, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(1 << 20);
            ch.write(ByteBuffer.wrap(footer), 1 << 20);
        }
        assertThatThrownBy(() -> ImageOpener.open(fixed, OpenOptions.DEFAULT))
                .isInstanceOf(CorruptImageException.class).hasMessageContaining("truncated");
    }

    @Test
    void batEntriesPastTheEndOrIntoMetadataAreCorrupt() throws Exception {
        Path img = dynamic();
        ByteBuffer e = ByteBuffer.allocate(4).putInt(0x00ffffff);
        ImageOracle.patch(img, 1536, e.array()); // block 0
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThatThrownBy(() -> d.map(0, 4096)).isInstanceOfSatisfying(CorruptImageException.class,
                    x -> assertThat(x.offset()).isEqualTo(1536)).hasMessageContaining("past");
        }
        ImageOracle.patch(img, 1536, ByteBuffer.allocate(4).putInt(1).array()); // sector 1: the dynamic header
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThatThrownBy(() -> d.read(0, ByteBuffer.allocate(4096))).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("overlaps");
        }
    }

    @Test
    void hugeVirtualSizeIsRefusedWithoutAllocating() throws Exception {
        Path img = dynamic();
        byte[] size = ByteBuffer.allocate(8).putLong(1L << 62).array();
        ImageOracle.patch(img, 48, size);
        ImageOracle.patch(img, Files.size(img) - 512 + 48, size);
        fixFooterChecksums(img);
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("max table entries");
        Path fixed = GuestDisk.convert(GuestDisk.raw(), "vpc", dir.resolve("f.vhd"), "-o", "subformat=fixed,force_size=on");
        ImageOracle.patch(fixed, Files.size(fixed) - 512 + 48, size);
        fixFooterChecksums(fixed);
        assertThatThrownBy(() -> ImageOpener.open(fixed, OpenOptions.DEFAULT)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("fixed disk of 4611686018427387904 bytes");
    }

    @Test
    void randomDamageIsRejectedCleanly() throws Exception {
        Path img = GuestDisk.convert(Mutations.smallRaw(dir), "vpc", dir.resolve("m.vhd"), "-o", "subformat=dynamic,force_size=on");
        long end = Files.size(img) - 512;
        long[][] regions = {{0, 512}, {512, 1024}, {1536, 512}, {2048, 512}, {end, 512}};
        int rejected = Mutations.run(img, regions, 200, 42, f -> VhdImage.open(f, Openers.forDirectory(dir)));
        System.out.println("vhd mutants rejected: " + rejected + " of 200");
        // footers and header are checksummed: most single-region damage must be caught
        assertThat(rejected).isGreaterThan(20);
    }


    // ---- helpers that patch qemu-made images (test side; independent of the reader)

    private static VhdFooter footer(Path img) throws IOException {
        try (HostFile f = HostFile.open(img)) {
            return VhdFooter.parse(f.readBytes(f.size() - 512, 512), f.size() - 512);
        }
    }

    private static long sum(byte[] d, int from, int len, int skip) {
        long s = 0;
        for (int i = from; i < from + len; i++) if (i < from + skip || i >= from + skip + 4) s += d[i] & 0xff;
        return ~s & 0xffffffffL;
    }

    private static void fixFooterChecksums(Path img) throws IOException {
        byte[] d = Files.readAllBytes(img);
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.BIG_ENDIAN);
        int end = d.length - 512;
        b.putInt(end + 64, (int) sum(d, end, 512, 64));
        if (b.getInt(end + 60) != 2) b.putInt(64, (int) sum(d, 0, 512, 64));
        Files.write(img, d);
    }

    /** Turns a qemu dynamic VHD into a differencing one with the given parent locators. */
    static void makeDifferencing(Path child, String w2ru, String w2ku, String unicodeName, byte[] parentId)
            throws IOException {
        byte[] old = Files.readAllBytes(child);
        int footerAt = old.length - 512;
        List<String[]> locs = new java.util.ArrayList<>();
        if (w2ru != null) locs.add(new String[] {"W2ru", w2ru});
        if (w2ku != null) locs.add(new String[] {"W2ku", w2ku});
        byte[] d = new byte[old.length + 512 * locs.size()];
        System.arraycopy(old, 0, d, 0, footerAt);
        System.arraycopy(old, footerAt, d, d.length - 512, 512);
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.BIG_ENDIAN);
        int h = 512;
        b.put(h + 40, parentId);
        byte[] name = unicodeName.getBytes(StandardCharsets.UTF_16BE);
        b.put(h + 64, name);
        for (int i = 0; i < locs.size(); i++) {
            byte[] text = locs.get(i)[1].getBytes(StandardCharsets.UTF_16LE);
            int at = footerAt + 512 * i;
            b.put(at, text);
            int e = h + 576 + 24 * i;
            b.put(e, locs.get(i)[0].getBytes(StandardCharsets.US_ASCII));
            b.putInt(e + 4, 512);
            b.putInt(e + 8, text.length);
            b.putLong(e + 16, at);
        }
        b.putInt(h + 36, (int) sum(d, h, 1024, 36));
        int end = d.length - 512;
        b.putInt(end + 60, 4);
        b.putInt(end + 64, (int) sum(d, end, 512, 64));
        System.arraycopy(d, end, d, 0, 512);
        Files.write(child, d);
    }
}
