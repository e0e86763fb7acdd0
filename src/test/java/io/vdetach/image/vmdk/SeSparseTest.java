package io.vdetach.image.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.Layer;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Mutations;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Openers;
import io.vdetach.testkit.Sh;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dissect.hypervisor's SESparse extent (SOURCES.md: the first 16 MiB read as "a"), bare and through a
 * seSparse descriptor, against qemu-img, which reads it too.
 */
class SeSparseTest {
    @TempDir Path dir;

    @Test
    void dissectSampleReadsAsAssertedAndAsQemuReadsIt() throws Exception {
        Path sample = Corpus.file("dissect.hypervisor/sesparse.vmdk");
        try (DiskImage d = ImageOpener.open(sample, OpenOptions.DEFAULT)) {
            assertThat(d.format()).isEqualTo("vmdk");
            assertThat(d.size()).isEqualTo(0x100000L * 512);
            ByteBuffer b = d.readBytes(0, 16 << 20);
            for (int i = 0; i < b.limit(); i++) if (b.get(i) != 'a') throw new AssertionError("byte " + i + " is not 'a'");
            assertThat(d.readBytes(16 << 20, 4096).array()).containsOnly(0);
        }
        Need.tools("qemu-img");
        Files.copy(sample, dir.resolve("base-sesparse.vmdk"));
        Path desc = dir.resolve("d.vmdk");
        Files.writeString(desc, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"seSparse\"\n\n"
                + "RW 1048576 SESPARSE \"base-sesparse.vmdk\"\n");
        Path q = dir.resolve("q.raw");
        // qemu-img 7.2 reports twice the descriptor's size for this file (its second half repeats the first):
        // the descriptor's 1,048,576 sectors are compared
        Sh.run("qemu-img", "convert", "-O", "raw", desc.toString(), q.toString());
        Sh.run("truncate", "-s", String.valueOf(0x100000L * 512), q.toString());
        try (DiskImage d = ImageOpener.open(desc, OpenOptions.DEFAULT)) {
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(q));
            ImageCheck.assertMapConsistent(d, q);
        }
    }

    @Test
    void randomDamage() throws Exception {
        Path sample = Corpus.file("dissect.hypervisor/sesparse.vmdk");
        Path copy = dir.resolve("s.vmdk");
        Files.copy(sample, copy);
        long[][] regions = {{0, 512}, {512, 1024}, {0x1000L * 512, 4096}, {0x1800L * 512, 65536}};
        int rejected = Mutations.run(copy, regions, 150, 5, f -> (Layer) VmdkImage.open(f, Openers.forDirectory(dir)));
        System.out.println("SESparse mutants rejected: " + rejected + " of 150");
        assertThat(rejected).isPositive();
    }
}
