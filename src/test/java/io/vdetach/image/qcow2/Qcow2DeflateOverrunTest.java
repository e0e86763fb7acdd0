package io.vdetach.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compressed cluster (qemu-img convert -c) whose deflate stream was replaced by one that
 * inflates to 4 KiB more than the cluster: corrupt, naming the cluster's offset, not silently cut.
 */
class Qcow2DeflateOverrunTest {
    @TempDir Path dir;

    @Test
    void aStreamLongerThanItsClusterIsCorrupt() throws Exception {
        Need.tools("qemu-img");
        Path raw = dir.resolve("a.raw");
        byte[] a = new byte[1 << 16];
        Arrays.fill(a, (byte) 'a');
        Files.write(raw, a);
        Path img = dir.resolve("c.qcow2");
        Sh.run("qemu-img", "convert", "-q", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=65536", raw.toString(), img.toString());
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            ImageCheck.sha256(d); // reads as qemu-img wrote it
        }
        long at;
        int room;
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(20);
            int clusterBits = f.readInt();
            f.seek(40);
            long l1 = f.readLong();
            f.seek(l1);
            long l2 = f.readLong() & 0x00ff_ffff_ffff_fe00L;
            f.seek(l2);
            long entry = f.readLong();
            assertThat(entry & (1L << 62)).as("compressed").isNotZero();
            int x = 62 - (clusterBits - 8); // spec: "Compressed Clusters Descriptor"
            at = entry & ((1L << x) - 1);
            long sectors = ((entry >>> x) & ((1L << (clusterBits - 8)) - 1)) + 1;
            room = (int) (sectors * 512 - (at & 511));
            byte[] longer = new byte[(1 << 16) + 4096];
            Arrays.fill(longer, (byte) 'a');
            Deflater def = new Deflater(9, true);
            def.setInput(longer);
            def.finish();
            byte[] stream = new byte[room];
            int n = def.deflate(stream);
            assertThat(def.finished()).as("the longer stream fits where the cluster's was").isTrue();
            f.seek(at);
            f.write(stream, 0, n);
        }
        final long offset = at;
        try (DiskImage d = ImageOpener.open(img, OpenOptions.DEFAULT)) {
            assertThatThrownBy(() -> ImageCheck.sha256(d)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("more than the cluster's 65536 bytes")
                    .satisfies(e -> assertThat(((CorruptImageException) e).offset()).isEqualTo(offset));
        }
    }
}
