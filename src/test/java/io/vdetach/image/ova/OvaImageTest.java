package io.vdetach.image.ova;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Mutations;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Openers;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OVAs made with tar (ustar, pax, GNU) of an .ovf and qemu-img disks, read in place and compared with the source. */
class OvaImageTest {
    @TempDir Path dir;

    static String ovf(String... disks) {
        StringBuilder refs = new StringBuilder(), section = new StringBuilder();
        for (int i = 0; i < disks.length; i++) {
            refs.append("<File ovf:id=\"file").append(i).append("\" ovf:href=\"").append(disks[i]).append("\" ovf:size=\"1\"/>\n");
            section.append("<Disk ovf:capacity=\"4\" ovf:capacityAllocationUnits=\"byte * 2^20\" ovf:diskId=\"vmdisk").append(i)
                    .append("\" ovf:fileRef=\"file").append(i).append("\"/>\n");
        }
        return "<?xml version=\"1.0\"?>\n<Envelope xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\">\n<References>\n" + refs
                + "</References>\n<DiskSection><Info>x</Info>\n" + section + "</DiskSection>\n</Envelope>\n";
    }

    Path ova(String tarFormat, String subformat, String... extraDisks) throws Exception {
        Need.tools("qemu-img", "tar");
        Path raw = Mutations.smallRaw(dir);
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(), dir.resolve("disk1.vmdk").toString());
        String[] disks = new String[extraDisks.length + 1];
        disks[0] = "disk1.vmdk";
        System.arraycopy(extraDisks, 0, disks, 1, extraDisks.length);
        for (String e : extraDisks) Files.copy(dir.resolve("disk1.vmdk"), dir.resolve(e));
        Files.writeString(dir.resolve("app.ovf"), ovf(disks));
        Path ova = dir.resolve("app.ova");
        Sh.run("bash", "-c", "cd " + dir + " && tar --format=" + tarFormat + " -cf app.ova app.ovf " + String.join(" ", disks));
        return ova;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ustar", "pax", "gnu"})
    void streamOptimizedDiskReadInPlace(String tarFormat) throws Exception {
        Path ova = ova(tarFormat, "streamOptimized");
        try (DiskImage d = ImageOpener.open(ova, OpenOptions.DEFAULT)) {
            assertThat(d.format()).isEqualTo("ova");
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(dir.resolve("small.raw")));
            assertThat(d.chain().getFirst().detail()).contains("vmdisk0 = disk1.vmdk");
            assertThat(d.ownFiles()).containsExactly(ova.toRealPath());
        }
    }

    /** A monolithicSparse member maps into the .ova itself: nothing is unpacked. */
    @Test
    void sparseDiskMapsIntoTheArchive() throws Exception {
        Path ova = ova("ustar", "monolithicSparse");
        try (DiskImage d = ImageOpener.open(ova, OpenOptions.DEFAULT)) {
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(dir.resolve("small.raw")));
            for (Run r : ExtentMaps.toHostFiles(d, 0, d.size())) {
                if (r instanceof Run.Mapped m) {
                    assertThat(((HostFile) m.target()).path()).isEqualTo(ova.toRealPath());
                    assertThat(((HostFile) m.target()).whole()).isNull();
                }
            }
            ImageCheck.assertMapConsistent(d, dir.resolve("small.raw"));
        }
    }

    @Test
    void severalDisksAreNamedInAWarning() throws Exception {
        Path ova = ova("ustar", "streamOptimized", "disk2.vmdk");
        try (DiskImage d = ImageOpener.open(ova, OpenOptions.DEFAULT)) {
            assertThat(d.warnings()).anyMatch(w -> w.contains("holds 2 disks") && w.contains("disk2.vmdk"));
        }
    }

    @Test
    void aTarWithoutAnOvfIsNoOva() throws Exception {
        Path raw = Mutations.smallRaw(dir);
        Files.writeString(dir.resolve("a.ovf"), ovf());
        Sh.run("bash", "-c", "cd " + dir + " && tar --format=ustar -cf x.ova a.ovf small.raw");
        assertThatThrownBy(() -> ImageOpener.open(dir.resolve("x.ova"), OpenOptions.DEFAULT))
                .isInstanceOf(UnsupportedImageException.class).hasMessageContaining("without a disk");
        assertThat(raw).exists();
    }

    @Test
    void randomDamage() throws Exception {
        Path ova = ova("pax", "streamOptimized");
        long[][] regions = {{0, 4096}, {0, Files.size(ova)}};
        int rejected = Mutations.run(ova, regions, 200, 21, f -> OvaImage.open(f, Openers.forDirectory(dir)));
        System.out.println("OVA mutants rejected: " + rejected + " of 200");
        assertThat(rejected).isPositive();
    }
}
