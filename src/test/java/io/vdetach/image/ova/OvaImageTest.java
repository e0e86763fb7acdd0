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
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.DiskFixture;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.TreeAssert;
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

    /**
     * An appliance of two disks (the GPT + ext4 fixture and a bare ext4 filesystem, both
     * streamOptimized): each disk's volumes are extracted under the disk's name, each equal to
     * the kernel's mount of its source; verify passes; ls names them.
     */
    @Test
    void severalDisksEachExtractedUnderItsName() throws Exception {
        Need.root();
        Need.tools("qemu-img", "tar", "mke2fs");
        Path first = DiskFixture.raw();
        Path second = dir.resolve("second.raw");
        Sh.bash("cd " + dir + " && mkdir -p t2/d && printf 'second disk' > t2/d/f && head -c 300000 /dev/urandom > t2/r"
                + " && mke2fs -q -F -t ext4 -b 4096 -L two -d t2 second.raw 16M");
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized", first.toString(), dir.resolve("disk1.vmdk").toString());
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized", second.toString(), dir.resolve("disk2.vmdk").toString());
        Files.writeString(dir.resolve("app.ovf"), ovf("disk1.vmdk", "disk2.vmdk"));
        Sh.run("bash", "-c", "cd " + dir + " && tar --format=pax -cf app.ova app.ovf disk1.vmdk disk2.vmdk");
        Path ova = dir.resolve("app.ova");
        try (DiskImage d = ImageOpener.open(ova, OpenOptions.DEFAULT)) {
            assertThat(d.disks()).extracting(DiskImage.NamedDisk::name).containsExactly("disk1", "disk2");
            assertThat(ImageCheck.sha256(d.disks().get(1).disk())).isEqualTo(ImageCheck.sha256(second));
        }
        Cli.Run ls = Cli.run("ls", ova.toString());
        assertThat(ls.exit()).as(ls.out() + ls.err()).isZero();
        assertThat(ls.out()).contains("disk1/p1", "disk2/disk");

        Path dest = dir.resolve("out");
        Cli.Run r = Cli.run("extract", "--no-progress", ova.toString(), dest.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        try (LoopMount m = LoopMount.readOnly(first, 1L << 20, 48L << 20, "ext4", "")) {
            TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), HostTree.walk(dest.resolve("disk1/p1"), "lost+found"));
        }
        try (LoopMount m = LoopMount.readOnly(second, 0, 0, "ext4", "")) {
            TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), HostTree.walk(dest.resolve("disk2/disk"), "lost+found"));
        }
        Cli.Run v = Cli.run("verify", ova.toString(), dest.toString());
        assertThat(v.exit()).as(v.out() + v.err()).isZero();

        Cli.Run whole = Cli.run("dump", ova.toString(), dir.resolve("whole.raw").toString());
        assertThat(whole.exit()).as("dump must be told which disk").isEqualTo(2);
        assertThat(whole.err()).contains("disk1, disk2");
        Cli.Run two = Cli.run("dump", "--volume", "disk2", ova.toString(), dir.resolve("two.raw").toString());
        assertThat(two.exit()).as(two.out() + two.err()).isZero();
        assertThat(HostTree.sha256(dir.resolve("two.raw"))).isEqualTo(HostTree.sha256(second));
    }

    @Test
    void aHostileDescriptorOpensABoundedNumberOfDisks() throws Exception {
        Path ova = ova("ustar", "streamOptimized");
        String[] many = new String[OvaImage.MAX_DISKS + 1];
        for (int i = 0; i < many.length; i++) many[i] = "d" + i + ".vmdk";
        Files.writeString(dir.resolve("app.ovf"), ovf(many));
        Sh.run("bash", "-c", "cd " + dir + " && tar --format=ustar -cf app.ova app.ovf disk1.vmdk");
        assertThatThrownBy(() -> ImageOpener.open(ova, OpenOptions.DEFAULT))
                .isInstanceOf(UnsupportedImageException.class).hasMessageContaining("at most " + OvaImage.MAX_DISKS);
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
