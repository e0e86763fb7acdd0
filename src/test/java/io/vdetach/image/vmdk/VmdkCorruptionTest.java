package io.vdetach.image.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.MissingFileException;
import io.vdetach.error.VdetachException;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real qemu-img VMDKs with patched bytes, hostile descriptors, and a hand-built ESX COWD extent read by qemu too. */
class VmdkCorruptionTest {
    @TempDir Path dir;
    Path raw;
    Path img;

    @BeforeEach
    void make() {
        Need.tools("qemu-img");
        raw = dir.resolve("d.raw");
        Sh.bash("cd " + dir + " && head -c 3M /dev/urandom > d.raw && truncate -s 8M d.raw"
                + " && head -c 64k /dev/urandom | dd of=d.raw bs=64k seek=100 conv=notrunc status=none");
        img = dir.resolve("c.vmdk");
        Sh.run("qemu-img", "convert", "-O", "vmdk", raw.toString(), img.toString());
    }

    static DiskImage open(Path p) throws Exception {
        return ImageOpener.open(p, OpenOptions.DEFAULT);
    }

    long le(Path p, long at, int n) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            byte[] b = new byte[8];
            f.seek(at);
            f.readFully(b, 0, n);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    void putLe(Path p, long at, long v, int n) throws Exception {
        byte[] b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(at);
            f.write(b, 0, n);
        }
    }

    /** File offset of the first grain table entry. */
    long firstGte(Path p) throws Exception {
        long gd = le(p, 56, 8) * 512;
        return le(p, gd, 4) * 512;
    }

    @Test
    void grainTableEntryPastEndOfFileOrIntoMetadata() throws Exception {
        long gte = firstGte(img);
        putLe(img, gte, 0x7fff_fff0L, 4);
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> d.map(0, 4096)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("grain table entry").hasMessageContaining("at offset " + gte);
        }
        putLe(img, gte, le(img, 56, 8), 4); // the grain directory itself
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> d.map(0, 4096)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("lies in metadata");
        }
        putLe(img, gte, 0, 4); // the header
        putLe(img, gte, 0x1, 4);
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> d.map(0, 4096)).isInstanceOf(CorruptImageException.class);
        }
    }

    @Test
    void grainDirectoryEntryPastEndOfFile() throws Exception {
        long gd = le(img, 56, 8) * 512;
        putLe(img, gd, 0x0fff_ffffL, 4);
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> ImageCheck.sha256(d)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("grain directory entry 0");
        }
        putLe(img, 56, 1L << 40, 8);
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class).hasMessageContaining("outside the file");
    }

    @Test
    void truncatedFile() throws Exception {
        Sh.run("truncate", "-s", String.valueOf(Files.size(img) / 2), img.toString());
        try (DiskImage d = open(img)) {
            assertThatThrownBy(() -> ImageCheck.sha256(d)).isInstanceOf(CorruptImageException.class);
        }
        Sh.run("truncate", "-s", "300", img.toString());
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class);
    }

    @Test
    void absurdCapacityIsRefusedWithoutAllocating() throws Exception {
        putLe(img, 12, 1L << 53, 8); // 2^62 bytes
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class).hasMessageContaining("absurd");
        putLe(img, 12, -1L, 8);
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class).hasMessageContaining("capacity");
        putLe(img, 12, 16384, 8);
        putLe(img, 20, 1 << 20, 8);
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class).hasMessageContaining("grainSize");
    }

    @Test
    void hostileDescriptors() throws Exception {
        Path big = dir.resolve("big.vmdk");
        Files.writeString(big, "# Disk DescriptorFile\n" + "#".repeat(2 << 20));
        assertThatThrownBy(() -> open(big)).isInstanceOf(CorruptImageException.class).hasMessageContaining("larger than");
        Path out = dir.resolve("out.vmdk");
        Files.writeString(out, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\nRW 8 FLAT \"/etc/passwd\" 0\n");
        assertThatThrownBy(() -> open(out)).isInstanceOf(MissingFileException.class).hasMessageContaining("outside");
        Path up = dir.resolve("up.vmdk");
        Files.writeString(up, "# Disk DescriptorFile\nRW 8 FLAT \"../../../etc/passwd\" 0\n");
        assertThatThrownBy(() -> open(up)).isInstanceOf(MissingFileException.class).hasMessageContaining("outside");
        Path none = dir.resolve("none.vmdk");
        Files.writeString(none, "# Disk DescriptorFile\nversion=1\n");
        assertThatThrownBy(() -> open(none)).isInstanceOf(CorruptImageException.class).hasMessageContaining("names no extents");
        Path huge = dir.resolve("huge.vmdk");
        Files.writeString(huge, "# Disk DescriptorFile\nRW 99999999999999999999 ZERO\n");
        assertThatThrownBy(() -> open(huge)).isInstanceOf(CorruptImageException.class).hasMessageContaining("out of range");
        Path many = dir.resolve("many.vmdk");
        Files.writeString(many, "# Disk DescriptorFile\n" + "RW 8 ZERO\n".repeat(5000));
        assertThatThrownBy(() -> open(many)).isInstanceOf(CorruptImageException.class).hasMessageContaining("more than 4096");
        Path twice = dir.resolve("twice.vmdk");
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", raw.toString(),
                dir.resolve("t.vmdk").toString());
        Files.writeString(twice, "# Disk DescriptorFile\n" + "RW 16384 SPARSE \"t-s001.vmdk\"\n".repeat(3));
        assertThatThrownBy(() -> open(twice)).isInstanceOf(CorruptImageException.class).hasMessageContaining("more than once");
        Path lazy = dir.resolve("lazy.vmdk");
        Files.writeString(lazy, "# Disk DescriptorFile\nRW 9007199254740992 ZERO\n"); // 2^62 bytes of zeros: fine, lazily
        try (DiskImage d = open(lazy)) {
            assertThat(d.size()).isEqualTo(1L << 62);
            assertThat(d.map(0, Long.MAX_VALUE)).hasSize(1);
        }
    }

    @Test
    void textModeDamageOfTheNewlineTest() throws Exception {
        putLe(img, 75, '\n', 1); // "\r\n" became "\n\n", as a text-mode copy would
        assertThatThrownBy(() -> open(img)).isInstanceOf(CorruptImageException.class).hasMessageContaining("text mode");
    }

    @Test
    void parentCycle() throws Exception {
        Path a = dir.resolve("a.vmdk");
        Path b = dir.resolve("b.vmdk");
        Files.writeString(a, "# Disk DescriptorFile\nCID=1\nparentCID=2\nparentFileNameHint=\"b.vmdk\"\nRW 8 ZERO\n");
        Files.writeString(b, "# Disk DescriptorFile\nCID=2\nparentCID=1\nparentFileNameHint=\"a.vmdk\"\nRW 8 ZERO\n");
        assertThatThrownBy(() -> open(a)).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("cycle").hasMessageContaining(a.toRealPath().toString());
    }

    @Test
    void streamOptimizedGrainMarkerDamage() throws Exception {
        Path s = dir.resolve("s.vmdk");
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.toString(), s.toString());
        long marker = le(s, firstGte(s), 4) * 512;
        putLe(s, marker, 12345, 8); // wrong LBA
        try (DiskImage d = open(s)) {
            assertThatThrownBy(() -> d.readBytes(0, 512)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("grain marker").hasMessageContaining("at offset " + marker);
        }
        putLe(s, marker, 0, 8);
        putLe(s, marker + 12, 0x0102030405L, 5); // garbage deflate data
        try (DiskImage d = open(s)) {
            assertThatThrownBy(() -> d.readBytes(0, 512)).isInstanceOf(CorruptImageException.class);
        }
    }

    /** Random byte damage: only our exceptions, never a hang or another throwable. */
    @Test
    void randomDamage() throws Exception {
        Path s = dir.resolve("s.vmdk");
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.toString(), s.toString());
        Random rnd = new Random(7);
        for (Path src : new Path[] {img, s}) {
            byte[] good = Files.readAllBytes(src);
            Path bad = dir.resolve("bad.vmdk");
            for (int i = 0; i < 80; i++) {
                byte[] b = good.clone();
                int flips = 1 + rnd.nextInt(8);
                for (int k = 0; k < flips; k++) {
                    int at = rnd.nextInt(i % 2 == 0 ? Math.min(b.length, 200 * 512) : b.length);
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

    /**
     * An ESX sparse (COWD) extent built here byte by byte from the spec; qemu-img reads it too
     * (through a VMFSSPARSE descriptor) and is the oracle.
     */
    @Test
    void cowdExtentReadsLikeQemu() throws Exception {
        int sectors = 8192, grain = 8, gdSector = 4, gtSector = 5, firstGrain = 5 + 32;
        ByteBuffer f = ByteBuffer.allocate((firstGrain + 6 * grain) * 512).order(ByteOrder.LITTLE_ENDIAN);
        f.putInt(0, 0x44574f43).putInt(4, 1).putInt(8, 3).putInt(12, sectors).putInt(16, grain)
                .putInt(20, gdSector).putInt(24, 1).putInt(28, firstGrain + 6 * grain);
        f.putInt(gdSector * 512, gtSector);
        Random rnd = new Random(1);
        int[] guestGrains = {0, 1, 5, 100, 1000, 1023};
        for (int i = 0; i < guestGrains.length; i++) {
            int at = firstGrain + i * grain;
            f.putInt(gtSector * 512 + 4 * guestGrains[i], at);
            byte[] data = new byte[grain * 512];
            rnd.nextBytes(data);
            f.put(at * 512, data);
        }
        Path cowd = dir.resolve("esx-delta.vmdk");
        Files.write(cowd, f.array());
        // qemu-img reads a COWD extent only through a descriptor naming it VMFSSPARSE
        Path desc = dir.resolve("esx.vmdk");
        Files.writeString(desc, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"vmfsSparse\"\n"
                + "RW " + sectors + " VMFSSPARSE \"esx-delta.vmdk\"\n", StandardCharsets.US_ASCII);
        Path oracle = ImageCheck.qemuRaw(desc, dir.resolve("cowd.raw"));
        try (DiskImage d = open(desc)) {
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(oracle));
            ImageCheck.assertMapConsistent(d, oracle);
        }
        try (DiskImage d = open(cowd)) {
            assertThat(d.size()).isEqualTo(sectors * 512L);
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(oracle));
            ImageCheck.assertMapConsistent(d, oracle);
            assertThat(d.chain().getFirst().detail()).contains("COWD");
        }
    }
}
