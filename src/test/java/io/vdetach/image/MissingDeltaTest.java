package io.vdetach.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.MissingFileException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Mutations;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chains with a missing link, with and without --allow-missing-delta (qemu-img makes the chains). */
class MissingDeltaTest {
    @TempDir Path dir;

    /** base <- mid <- top, each writing its own MiB; then mid is removed. */
    Path qcow2Chain() throws Exception {
        Need.tools("qemu-img", "qemu-io");
        Path raw = Mutations.smallRaw(dir);
        Sh.run("qemu-img", "convert", "-O", "qcow2", raw.toString(), dir.resolve("base.qcow2").toString());
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", dir.resolve("mid.qcow2").toString());
        Sh.run("qemu-io", "-c", "write -P 0x11 1M 64k", dir.resolve("mid.qcow2").toString());
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", dir.resolve("top.qcow2").toString());
        Sh.run("qemu-io", "-c", "write -P 0x22 2M 64k", dir.resolve("top.qcow2").toString());
        return dir.resolve("top.qcow2");
    }

    @Test
    void qcow2MiddleRemovedIsNamed() throws Exception {
        Path top = qcow2Chain();
        Files.delete(dir.resolve("mid.qcow2"));
        String named = top.toRealPath().toString();
        assertThatThrownBy(() -> ImageOpener.open(top, OpenOptions.DEFAULT)).isInstanceOfSatisfying(MissingFileException.class,
                e -> assertThat(e.getMessage()).contains("mid.qcow2").contains(named));
        // nothing names base.qcow2 but the removed file: nothing below it can be read, and the message says so
        assertThatThrownBy(() -> ImageOpener.open(top, new OpenOptions(null, false, true)))
                .isInstanceOf(UnsupportedImageException.class).hasMessageContaining("mid.qcow2")
                .hasMessageContaining("cannot read what lies below it");
    }

    /** An unreadable middle link (its header destroyed) is named with who refers to it. */
    @Test
    void qcow2UnreadableMiddle() throws Exception {
        Path top = qcow2Chain();
        Sh.run("truncate", "-s", "100", dir.resolve("mid.qcow2").toString());
        assertThatThrownBy(() -> ImageOpener.open(top, new OpenOptions(null, false, true)))
                .hasMessageContaining("mid.qcow2").hasMessageContaining("backing");
    }

    /**
     * A VMDK snapshot chain (descriptors beside their delta extents) whose middle delta extent is
     * gone: with --allow-missing-delta it reads as the base alone, and says so.
     */
    @Test
    void vmdkDeltaExtentMissingReadsAsTheBase() throws Exception {
        Need.tools("qemu-img", "qemu-io");
        Path raw = Mutations.smallRaw(dir);
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", raw.toString(),
                dir.resolve("base.vmdk").toString());
        Sh.run("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", "-b", "base.vmdk", "-F", "vmdk",
                dir.resolve("mid.vmdk").toString());
        Sh.run("qemu-io", "-c", "write -P 0x11 1M 64k", dir.resolve("mid.vmdk").toString());
        Sh.run("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", "-b", "mid.vmdk", "-F", "vmdk",
                dir.resolve("top.vmdk").toString());
        Sh.run("qemu-io", "-c", "write -P 0x22 2M 64k", dir.resolve("top.vmdk").toString());
        Files.delete(dir.resolve("mid-s001.vmdk"));
        Path top = dir.resolve("top.vmdk");
        assertThatThrownBy(() -> ImageOpener.open(top, OpenOptions.DEFAULT)).isInstanceOf(MissingFileException.class)
                .hasMessageContaining("mid-s001.vmdk");
        Path base = ImageCheck.qemuRaw(dir.resolve("base.vmdk"), dir.resolve("base.raw"));
        try (DiskImage d = ImageOpener.open(top, new OpenOptions(null, false, true))) {
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(base));
            assertThat(d.warnings().getFirst()).contains("--allow-missing-delta").contains("mid-s001.vmdk").contains("left out");
            assertThat(d.chain().getFirst().format()).isEqualTo("left out");
            assertThatThrownBy(d::ownFiles).isInstanceOf(UnsupportedImageException.class);
        }
    }
}
