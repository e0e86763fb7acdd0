package io.vdetach.image.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.DiskFixture;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** VMDKs made by qemu-img from one raw disk and by VMware tools (corpus), compared with qemu-img. */
class VmdkImageTest {
    @TempDir Path dir;

    static DiskImage open(Path p) throws Exception {
        return ImageOpener.open(p, OpenOptions.DEFAULT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat",
            "streamOptimized"})
    void qemuImgSubformatsReadLikeQemu(String subformat) throws Exception {
        Path raw = DiskFixture.raw();
        Path img = dir.resolve("v.vmdk");
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(), img.toString());
        Path oracle = ImageCheck.qemuRaw(img, dir.resolve("oracle.raw"));
        try (DiskImage d = open(img)) {
            assertThat(d).isInstanceOf(VmdkImage.class);
            assertThat(d.size()).isEqualTo(64L << 20);
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(oracle));
            ImageCheck.assertMapConsistent(d, oracle);
            assertThat(d.chain().getFirst().detail()).startsWith(subformat);
            switch (subformat) {
                case "monolithicSparse" -> ImageCheck.assertSameDataOffsets(d, img, img);
                case "monolithicFlat" -> ImageCheck.assertSameDataOffsets(d, img, dir.resolve("v-flat.vmdk"));
                case "twoGbMaxExtentFlat" -> ImageCheck.assertSameDataOffsets(d, img, dir.resolve("v-f001.vmdk"));
                case "twoGbMaxExtentSparse" -> ImageCheck.assertSameDataOffsets(d, img, dir.resolve("v-s001.vmdk"));
                default -> assertThat(d.map(0, d.size())).anyMatch(r -> r instanceof Run.Materialise);
            }
            System.out.printf("SHARE vmdk %s: %.4f%n", subformat, ImageCheck.shareRatio(d));
        }
    }

    @Test
    void snapshotChainWithWritesInTheChild() throws Exception {
        Need.tools("qemu-io");
        Path parent = dir.resolve("parent.vmdk");
        Sh.run("qemu-img", "convert", "-O", "vmdk", DiskFixture.raw().toString(), parent.toString());
        Path child = dir.resolve("child.vmdk");
        Sh.run("qemu-img", "create", "-q", "-f", "vmdk", "-b", "parent.vmdk", "-F", "vmdk", child.toString());
        Sh.run("qemu-io", "-c", "write -P 0xab 1M 64k", "-c", "write -P 0xcd 40M 200k", child.toString());
        Path child2 = dir.resolve("child2.vmdk");
        Sh.run("qemu-img", "create", "-q", "-f", "vmdk", "-b", "child.vmdk", "-F", "vmdk", child2.toString());
        Sh.run("qemu-io", "-c", "write -P 0x99 1056k 4k", child2.toString());
        Path oracle = ImageCheck.qemuRaw(child2, dir.resolve("oracle.raw"));
        try (DiskImage d = open(child2)) {
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(oracle));
            ImageCheck.assertMapConsistent(d, oracle);
            assertThat(d.chain()).extracting(l -> l.file().getFileName().toString())
                    .containsExactly("child2.vmdk", "child.vmdk", "parent.vmdk");
            assertThat(d.warnings()).isEmpty();
            List<Run> runs = ExtentMaps.toHostFiles(d, 8L << 20, 4096);
            assertThat(runs).singleElement().isInstanceOfSatisfying(Run.Mapped.class,
                    m -> assertThat(((HostFile) m.target()).path().getFileName().toString()).isEqualTo("parent.vmdk"));
        }
        // a parent changed after the snapshot: CID mismatch is a warning, not an error
        byte[] p = Files.readAllBytes(parent);
        String text = new String(p, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("CID=") + 4;
        p[at] = (byte) (p[at] == '0' ? '1' : '0');
        Files.write(parent, p);
        try (DiskImage d = open(child)) {
            assertThat(d.warnings()).anyMatch(w -> w.contains("parentCID") && w.contains("does not match"));
        }
    }

    @Test
    void snapshotOverStreamOptimizedParentReadUnaligned() throws Exception {
        Need.tools("qemu-io");
        Path parent = dir.resolve("sparent.vmdk");
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized", DiskFixture.raw().toString(),
                parent.toString());
        Path child = dir.resolve("schild.vmdk");
        Sh.run("qemu-img", "create", "-q", "-f", "vmdk", "-b", "sparent.vmdk", "-F", "vmdk", child.toString());
        Sh.run("qemu-io", "-c", "write -P 0x21 1M 64k", "-c", "write -P 0x22 1090k 3k", child.toString());
        Path oracle = ImageCheck.qemuRaw(child, dir.resolve("oracle.raw"));
        try (DiskImage d = open(child)) {
            assertThat(ImageCheck.sha256(d, 5555)).isEqualTo(ImageCheck.sha256(oracle));
            ImageCheck.assertMapConsistent(d, oracle);
        }
    }

    /**
     * A hand-written descriptor mixing FLAT (with an offset), ZERO, RDONLY and SPARSE extents. qemu-img
     * skips ZERO and non-RW lines, so the oracle is the fixture with the ZERO range zeroed by dd.
     */
    @Test
    void mixedExtentsInOneDescriptor() throws Exception {
        Path raw = DiskFixture.raw();
        Sh.bash("""
                cd %1$s
                dd if=%2$s of=a.bin bs=1M count=16 status=none
                { head -c 1048576 /dev/zero; dd if=%2$s bs=1M skip=24 count=8 status=none; } > b.bin
                dd if=%2$s of=s.raw bs=1M skip=32 count=32 status=none
                qemu-img convert -O vmdk -o subformat=twoGbMaxExtentSparse s.raw s.vmdk
                cat > mixed.vmdk <<EOF
                # Disk DescriptorFile
                version=1
                CID=12345678
                parentCID=ffffffff
                createType="monolithicFlat"

                # Extent description
                RW 32768 FLAT "a.bin" 0
                RW 16384 ZERO
                RDONLY 16384 FLAT "b.bin" 2048
                RW 65536 SPARSE "s-s001.vmdk"

                # The Disk Data Base
                ddb.adapterType = "ide"
                EOF
                cp %2$s oracle.raw
                dd if=/dev/zero of=oracle.raw bs=1M seek=16 count=8 conv=notrunc status=none
                """.formatted(dir, raw));
        Path img = dir.resolve("mixed.vmdk");
        Path oracle = dir.resolve("oracle.raw");
        try (DiskImage d = open(img)) {
            assertThat(d.size()).isEqualTo(64L << 20);
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(oracle));
            ImageCheck.assertMapConsistent(d, oracle);
            assertThat(d.files()).extracting(p -> p.getFileName().toString())
                    .containsExactly("mixed.vmdk", "a.bin", "b.bin", "s-s001.vmdk");
            assertThat(d.map(16L << 20, 8L << 20)).singleElement().isInstanceOf(Run.Hole.class);
            assertThat(d.map(24L << 20, 4096)).singleElement().isInstanceOfSatisfying(Run.Mapped.class,
                    m -> assertThat(m.offset()).isEqualTo(1L << 20));
        }
    }

    @Test
    void snapshotOptionIsRefused() throws Exception {
        Path img = Corpus.file("vmdk-rs/monolithicSparse.vmdk");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageOpener.open(img, new OpenOptions("1", false)))
                .isInstanceOf(io.vdetach.error.UsageException.class).hasMessageContaining("--snapshot").hasMessageContaining("vmdk");
    }

    @ParameterizedTest
    @CsvSource({
        "vmdk-rs/monolithicSparse.vmdk, 10485760, a3bcf05f07a1c06a3380eeca8571f0efb2b85afafa1e21662b8cad436d1f7727",
        "vmdk-rs/twoGbMaxExtentSparse.vmdk, 10485760, a3bcf05f07a1c06a3380eeca8571f0efb2b85afafa1e21662b8cad436d1f7727",
        "vmdk-rs/streamOptimized.vmdk, 10485760, a3bcf05f07a1c06a3380eeca8571f0efb2b85afafa1e21662b8cad436d1f7727",
        "vmdk-rs/streamOptimizedWithMarkers.vmdk, 1048576, 92c0f8b4280377437056f57c51ef51a5f8aeb1462ac630ef0633febcbfc3db4e",
    })
    void corpusMatchesSources(String file, long size, String sha256) throws Exception {
        try (DiskImage d = open(Corpus.file(file))) {
            assertThat(d.size()).isEqualTo(size);
            assertThat(ImageCheck.sha256(d)).isEqualTo(sha256);
            System.out.printf("SHARE corpus %s: %.4f%n", file, ImageCheck.shareRatio(d));
        }
    }
}
