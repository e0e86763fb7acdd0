package io.vdetach.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeScannerTest {
    @TempDir Path dir;

    @Test
    void gptPartitionsAsSgdiskWroteThem() throws Exception {
        Need.tools("sgdisk");
        Path img = dir.resolve("gpt.img");
        Sh.run("truncate", "-s", "64M", img.toString());
        Sh.run("sgdisk", "-n", "1:2048:+16M", "-t", "1:8300", "-c", "1:root", "-n", "2:0:+8M", "-t", "2:ef00", img.toString());
        try (HostFile f = HostFile.open(img)) {
            List<Volume> v = VolumeScanner.scan(f);
            assertThat(v).extracting(Volume::name).containsExactly("p1", "p2");
            assertThat(v.get(0).start()).isEqualTo(1 << 20);
            assertThat(v.get(0).size()).isEqualTo(16 << 20);
            assertThat(v.get(0).type()).isEqualTo("Linux filesystem");
            assertThat(v.get(0).label()).isEqualTo("root");
            assertThat(v.get(1).type()).isEqualTo("EFI System");
        }
    }

    @Test
    void damagedPrimaryGptFallsBackToBackup() throws Exception {
        Need.tools("sgdisk");
        Path img = dir.resolve("gpt.img");
        Sh.run("truncate", "-s", "32M", img.toString());
        Sh.run("sgdisk", "-n", "1:2048:+8M", img.toString());
        corrupt(img, 512 + 100);
        try (HostFile f = HostFile.open(img)) {
            assertThat(VolumeScanner.scan(f)).extracting(Volume::name).containsExactly("p1");
        }
    }

    @Test
    void bothGptHeadersBadIsCorrupt() throws Exception {
        Need.tools("sgdisk");
        Path img = dir.resolve("gpt.img");
        Sh.run("truncate", "-s", "32M", img.toString());
        Sh.run("sgdisk", "-n", "1:2048:+8M", img.toString());
        corrupt(img, 512 + 20);
        corrupt(img, (32L << 20) - 512 + 20);
        try (HostFile f = HostFile.open(img)) {
            assertThatThrownBy(() -> VolumeScanner.scan(f)).isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("gpt").hasMessageContaining("CRC");
        }
    }

    @Test
    void mbrWithLogicalPartitions() throws Exception {
        Need.tools("sfdisk");
        Path img = dir.resolve("mbr.img");
        Sh.run("truncate", "-s", "64M", img.toString());
        Sh.bash("printf 'label: dos\\n2048,16M,83\\n,,E\\n,8M,83\\n,8M,82\\n' | sfdisk -q " + img);
        try (HostFile f = HostFile.open(img)) {
            List<Volume> v = VolumeScanner.scan(f);
            assertThat(v).extracting(Volume::name).containsExactly("p1", "p5", "p6");
            assertThat(v.get(1).type()).isEqualTo("0x83 Linux");
            assertThat(v.get(2).type()).isEqualTo("0x82 Linux swap");
            String dump = Sh.run("sfdisk", "-d", img.toString());
            assertThat(dump).contains("start=", "size=");
        }
    }

    @Test
    void unpartitionedDisk() throws Exception {
        Path img = dir.resolve("plain.img");
        Sh.run("truncate", "-s", "4M", img.toString());
        try (HostFile f = HostFile.open(img)) {
            assertThat(VolumeScanner.scan(f)).extracting(Volume::name).containsExactly("disk");
        }
    }

    private static void corrupt(Path img, long at) throws Exception {
        try (RandomAccessFile r = new RandomAccessFile(img.toFile(), "rw")) {
            r.seek(at);
            int b = r.read();
            r.seek(at);
            r.write(b ^ 0xff);
        }
    }
}
