package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.Node;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NTFS inside container formats, read through vdetach's own image readers: the same tree as
 * the raw disk (qemu-img convert is the oracle for the container), and file data still mapped
 * onto 4 KiB-aligned offsets of the image file, so extraction can share it.
 */
class NtfsImageFormatsTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"dissect.hypervisor/dynamic.vhd", "dissect.hypervisor/fixed.vhdx", "vmdk-rs/monolithicSparse.vmdk"})
    void windowsVolumesThroughOurImageReaders(String image) throws Exception {
        Path source = Corpus.file(image);
        Need.tools("qemu-img");
        Path raw = dir.resolve("disk.raw");
        Sh.run("qemu-img", "convert", "-O", "raw", source.toString(), raw.toString());
        assertThat(tree(source)).isEqualTo(tree(raw));
    }

    @Test
    void vhdxOfAFixtureSharesTheDataOfLargeFiles() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "setfattr", "sgdisk", "qemu-img");
        NtfsFixture.Disk disk = NtfsFixture.build(dir, NtfsFixture.Layout.GPT, 4096, 64L << 20, NtfsFixture.FEATURES);
        Path vhdx = dir.resolve("disk.vhdx");
        Sh.run("qemu-img", "convert", "-O", "vhdx", "-o", "subformat=dynamic", disk.image().toString(), vhdx.toString());
        assertThat(tree(vhdx)).isEqualTo(tree(disk.image()));
        try (DiskImage img = ImageOpener.open(vhdx, OpenOptions.DEFAULT);
             NtfsFilesystem fs = NtfsFilesystem.open(VolumeScanner.scan(img).getFirst().layer(), false, BlockCache.withDefaultBudget())) {
            long[] bytes = new long[2];
            share(fs, fs.node(fs.rootId()), bytes);
            System.out.printf("SHARE ntfs in vhdx: %d of %d bytes of files >= 64 KiB mapped 4 KiB-aligned onto the image file%n",
                    bytes[1], bytes[0]);
            assertThat(bytes[0]).as("bytes of uncompressed files >= 64 KiB").isGreaterThan(300_000);
            assertThat((double) bytes[1] / bytes[0]).as("share ratio").isGreaterThanOrEqualTo(0.99);
        }
    }

    /** Adds, for each uncompressed file of 64 KiB or more, its data bytes and those mapped 4 KiB-aligned onto the image file. */
    private static void share(NtfsFilesystem fs, Node dir, long[] bytes) throws Exception {
        for (DirEntry e : fs.list(dir)) {
            Node n = fs.node(e.id());
            if (n.isDirectory()) {
                share(fs, n, bytes);
                continue;
            }
            if (n.type() != io.vdetach.guestfs.EntryType.FILE || n.size() < 65536) continue;
            Layer content = fs.content(n);
            if (content.map(0, n.size()).stream().anyMatch(r -> r instanceof Run.Materialise)) continue;
            for (Run r : ExtentMaps.toHostFiles(content, 0, n.size())) {
                if (r instanceof Run.Hole) continue;
                bytes[0] += r.length();
                if (r instanceof Run.Mapped m && m.target() instanceof HostFile && m.offset() % 4096 == r.start() % 4096
                        && m.offset() % 4096 == 0) {
                    bytes[1] += r.length();
                }
            }
        }
    }

    private static TreeMap<String, EntryFacts> tree(Path image) throws Exception {
        try (DiskImage img = ImageOpener.open(image, OpenOptions.DEFAULT)) {
            Volume v = VolumeScanner.scan(img).getFirst();
            try (NtfsFilesystem fs = NtfsFilesystem.open(v.layer(), false, BlockCache.withDefaultBudget())) {
                return GuestTree.walk(fs);
            }
        }
    }
}
