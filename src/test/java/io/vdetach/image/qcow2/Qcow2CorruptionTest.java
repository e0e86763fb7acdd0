package io.vdetach.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.MissingFileException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.error.VdetachException;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real qemu-img images with patched bytes: every damage gives a named, bounded error. */
class Qcow2CorruptionTest {
    @TempDir Path dir;
    Path img;

    /** A 4 MiB image, 64 KiB clusters, data at 0..256k, 1M, 3M. */
    @BeforeEach
    void make() {
        Need.tools("qemu-img", "qemu-io");
        img = dir.resolve("c.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "4M");
        Sh.run("qemu-io", "-c", "write -P 0x61 0 256k", "-c", "write -P 0x62 1M 64k", "-c", "write -P 0x63 3M 8k", img.toString());
    }

    static DiskImage open(Path p) throws Exception {
        return ImageOpener.open(p, OpenOptions.DEFAULT);
    }

    static void readAll(DiskImage d) throws Exception {
        ImageCheck.sha256(d);
    }

    long be64(long at) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
            f.seek(at);
            return f.readLong();
        }
    }

    void put64(long at, long v) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(at);
            f.writeLong(v);
        }
    }

    void put32(long at, int v) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(at);
            f.writeInt(v);
        }
    }

    @Test
    void truncatedFile() throws Exception {
        long l1 = be64(40);
        Sh.run("truncate", "-s", String.valueOf(l1 + 4), img.toString());
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class).hasMessageContaining("L1 table");
        Sh.run("truncate", "-s", "100", img.toString());
        assertThatThrownBy(() -> open(img)).isInstanceOf(VdetachException.class);
        Sh.run("truncate", "-s", "10", img.toString());
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class).hasMessageContaining("only 10 bytes");
    }

    @Test
    void truncatedInsideData() throws Exception {
        long size = Files.size(img);
        Sh.run("truncate", "-s", String.valueOf(size - 100_000), img.toString());
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> readAll(d)).isInstanceOf(CorruptImageException.class).hasMessageContaining("past the end");
        }
    }

    @Test
    void badVersion() throws Exception {
        put32(4, 7);
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("header.version").hasMessageContaining("at offset 4");
        put32(4, 1);
        assertThatThrownBy(() -> open(img)).isInstanceOf(UnsupportedImageException.class);
        put32(4, 3);
        put32(20, 40);
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class).hasMessageContaining("cluster_bits 40");
    }

    @Test
    void l1EntryPastEndOfFile() throws Exception {
        long l1 = be64(40);
        put64(l1, 0x8000_0100_0000_0000L);
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> readAll(d)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("L1 entry").hasMessageContaining("at offset " + l1);
        }
    }

    @Test
    void l2EntryIntoTheL1Table() throws Exception {
        long l1 = be64(40);
        long l2 = be64(l1) & L2Entry.L1_OFFSET_MASK;
        put64(l2, L2Entry.COPIED | l1);
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> d.map(0, 4096)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("overlaps the L1 table").hasMessageContaining("at offset " + l2);
        }
        put64(l2, L2Entry.COPIED | (1L << 40));
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> d.map(0, 4096)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("past the end of the file");
        }
        put64(l2, L2Entry.COPIED | 512);
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> d.map(0, 4096)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("not cluster-aligned");
        }
    }

    @Test
    void absurdVirtualSizeIsRefusedWithoutAllocating() throws Exception {
        put64(24, 1L << 62);
        assertThatThrownBy(() -> open(img)).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("virtual size 4611686018427387904");
        put64(24, 4L << 20);
        put32(36, Integer.MAX_VALUE);
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class).hasMessageContaining("l1_size");
    }

    @Test
    void backingCycleNamesTheFile() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", b.toString(), "1M");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "b.qcow2", "-F", "qcow2", a.toString());
        Sh.run("qemu-img", "rebase", "-u", "-b", "a.qcow2", "-F", "qcow2", b.toString());
        assertThatThrownBy(() -> open(a)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("cycle").hasMessageContaining(a.toRealPath().toString());
        Path self = dir.resolve("self.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", self.toString(), "1M");
        Sh.run("qemu-img", "rebase", "-u", "-b", "self.qcow2", "-F", "qcow2", self.toString());
        assertThatThrownBy(() -> open(self)).isInstanceOf(CorruptImageException.class).hasMessageContaining("cycle");
    }

    @Test
    void missingOrEscapingBackingFile() throws Exception {
        Path a = dir.resolve("m.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "gone.qcow2", "-F", "qcow2", "-u", a.toString(), "1M");
        assertThatThrownBy(() -> open(a)).isInstanceOfSatisfying(MissingFileException.class, e -> {
            assertThat(e.name()).isEqualTo("gone.qcow2");
            assertThat(e.resolved()).isEqualTo(dir.resolve("gone.qcow2"));
            assertThat(e.structure()).isEqualTo("backing file name");
            assertThat(e.offset()).isPositive();
        }).hasMessageContaining("missing");
        Path b = dir.resolve("e.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw", "-u", b.toString(), "1M");
        assertThatThrownBy(() -> open(b)).isInstanceOf(MissingFileException.class).hasMessageContaining("outside");
    }

    @Test
    void featureBits() throws Exception {
        put64(72, Qcow2Header.INCOMPAT_DIRTY | Qcow2Header.INCOMPAT_CORRUPT);
        try (DiskImage d = open(img)) {
            assertThat(d.warnings()).anyMatch(w -> w.contains("dirty")).anyMatch(w -> w.contains("corrupt bit"));
            assertThat(d.chain().getFirst().detail()).contains("dirty", "corrupt bit set");
        }
        put64(72, 1L << 9);
        assertThatThrownBy(() -> open(img)).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("incompatible feature bit 9");
        put64(72, 0);
        put32(32, 1);
        assertThatThrownBy(() -> open(img)).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("encrypted qcow2 (method AES) is not supported");
    }

    /** Random byte damage in the metadata clusters: only our exceptions, never a hang or another throwable. */
    @Test
    void randomMetadataDamage() throws Exception {
        Path comp = dir.resolve("comp.qcow2");
        Sh.run("qemu-img", "convert", "-c", "-O", "qcow2", "-o", "cluster_size=4096", img.toString(), comp.toString());
        byte[] good = Files.readAllBytes(comp);
        Random rnd = new Random(42);
        Path bad = dir.resolve("bad.qcow2");
        for (int i = 0; i < 300; i++) {
            byte[] b = good.clone();
            int flips = 1 + rnd.nextInt(8);
            for (int k = 0; k < flips; k++) {
                int at = rnd.nextInt(i % 2 == 0 ? Math.min(b.length, 5 * 4096) : b.length);
                b[at] = (byte) rnd.nextInt(256);
            }
            Files.write(bad, b);
            try (DiskImage d = open(bad)) {
                d.map(0, d.size());
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                for (long pos = 0; pos < Math.min(d.size(), 8L << 20); pos += buf.capacity()) d.read(pos, buf.clear());
            } catch (VdetachException expected) {
                // named corruption or unsupported feature
            }
        }
    }
}
