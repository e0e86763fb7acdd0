package io.vdetach.guestfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.HostFile;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volumes vdetach recognises but does not extract: made by the real tools, named with a reason. */
class RecognisedVolumesTest {
    @TempDir Path dir;

    private Probed.NotExtracted probe(Path img) throws Exception {
        try (HostFile f = HostFile.open(img)) {
            Probed p = FilesystemProbe.probe(f);
            assertThat(p).isInstanceOf(Probed.NotExtracted.class);
            return (Probed.NotExtracted) p;
        }
    }

    private Path blank(String name, String size) {
        Path img = dir.resolve(name);
        Sh.run("truncate", "-s", size, img.toString());
        return img;
    }

    @Test
    void swap() throws Exception {
        Need.tools("mkswap");
        Path img = blank("swap.img", "8M");
        Sh.run("mkswap", "-q", img.toString());
        Probed.NotExtracted p = probe(img);
        assertThat(p.what()).isEqualTo("Linux swap");
        assertThat(p.why()).contains("no files");
    }

    @Test
    void luks1AndLuks2() throws Exception {
        Need.tools("cryptsetup");
        Path key = dir.resolve("key");
        Files.writeString(key, "not-a-secret");
        for (String type : new String[] {"luks1", "luks2"}) {
            Path img = blank(type + ".img", "32M");
            Sh.run("cryptsetup", "luksFormat", "-q", "--batch-mode", "--type", type, "--pbkdf-force-iterations", "1000",
                    "--pbkdf", "pbkdf2", img.toString(), key.toString());
            Probed.NotExtracted p = probe(img);
            assertThat(p.what()).isEqualTo("LUKS");
            assertThat(p.why()).contains("encrypted");
        }
    }

    @Test
    void btrfs() throws Exception {
        Need.tools("mkfs.btrfs");
        Path img = blank("btrfs.img", "128M");
        Sh.run("mkfs.btrfs", "-q", "-f", img.toString());
        assertThat(probe(img).what()).isEqualTo("Btrfs");
    }

    /** No OpenZFS tools here: a vdev label's uberblock slot is written by hand (magic 0x00bab10c, little-endian). */
    @Test
    void zfsUberblockMagic() throws Exception {
        Path img = blank("zfs.img", "1M");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(128 * 1024 + 5 * 1024);
            f.write(new byte[] {0x0c, (byte) 0xb1, (byte) 0xba, 0, 0, 0, 0, 0});
        }
        Probed.NotExtracted p = probe(img);
        assertThat(p.what()).isEqualTo("ZFS");
        assertThat(p.why()).contains("OpenZFS");
    }

    /** One registry: every format named once, FAT's loose boot-sector check asked after every exact magic. */
    @Test
    void registryOrder() {
        List<String> names = FilesystemProbe.FORMATS.stream().map(FilesystemFormat::name).toList();
        assertThat(names).containsExactly("ext", "ntfs", "exfat", "xfs", "BitLocker", "LUKS", "Linux swap", "Btrfs", "ZFS",
                "APFS", "HFS+", "vfat");
    }

    @Test
    void zerosAreEmpty() throws Exception {
        assertThat(probe(blank("zero.img", "1M")).what()).isEqualTo("empty");
    }
}
