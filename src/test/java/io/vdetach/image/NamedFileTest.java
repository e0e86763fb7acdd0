package io.vdetach.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.HostException;
import io.vdetach.error.MissingFileException;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files an image names that are not usable: a FIFO, a directory, "." or nothing at all. Each is
 * exit 3 (MissingFileException naming the format, the header field, the name as stored and where
 * it led), and none is ever opened: opening a FIFO for reading would block until a writer came,
 * hence the timeout.
 *
 * <p>The rule for the path given on the command line is the host's: a missing or non-regular
 * IMAGE is exit 4 ("no such file", "not a regular file"), like {@code cp}, since no image has
 * been read yet; it is never opened either.
 */
@Timeout(30)
class NamedFileTest {
    @TempDir Path dir;

    @BeforeEach
    void tools() {
        Need.tools("qemu-img", "mkfifo");
    }

    /** A qcow2 whose header names {@code backing} as its raw backing file, which qemu-img does not look at (-u). */
    private Path childOf(String backing) {
        Path img = dir.resolve("child.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", backing, "-F", "raw", img.toString(), "1M");
        return img;
    }

    private static void assertUnusable(Path img, String name, Path resolved, String why) {
        assertThatThrownBy(() -> ImageOpener.open(img, OpenOptions.DEFAULT)).isInstanceOfSatisfying(MissingFileException.class, e -> {
            assertThat(e.format()).isEqualTo("qcow2");
            assertThat(e.structure()).isEqualTo("backing file name");
            assertThat(e.offset()).isPositive();
            assertThat(e.name()).isEqualTo(name);
            assertThat(e.resolved()).isEqualTo(resolved);
        }).hasMessageContaining(why);
        Cli.Run r = Cli.run("ls", img.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.err()).contains("qcow2", "backing file name", why).doesNotContain("\tat ");
    }

    @Test
    void aFifoAsBackingFileIsUnusableAndNeverOpened() throws Exception {
        Sh.run("mkfifo", dir.resolve("pipe").toString());
        assertUnusable(childOf("pipe"), "pipe", dir.resolve("pipe"), "not a regular file (a FIFO)");
    }

    @Test
    void aDirectoryAsBackingFileIsUnusable() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        assertUnusable(childOf("sub"), "sub", dir.resolve("sub"), "not a regular file (a directory)");
        assertUnusable(childOf("."), ".", dir, "not a regular file (a directory)");
    }

    @Test
    void aMissingBackingFileIsMissingNotCorrupt() {
        assertUnusable(childOf("gone.raw"), "gone.raw", dir.resolve("gone.raw"), "missing");
    }

    @Test
    void aMissingVmdkExtentNamesItsDescriptorLine() throws Exception {
        Path vmdk = dir.resolve("d.vmdk");
        String head = "# Disk DescriptorFile\nversion=1\n";
        Files.writeString(vmdk, head + "RW 8 FLAT \"d-flat.vmdk\" 0\n");
        assertThatThrownBy(() -> ImageOpener.open(vmdk, OpenOptions.DEFAULT)).isInstanceOfSatisfying(MissingFileException.class, e -> {
            assertThat(e.structure()).isEqualTo("descriptor line 3");
            assertThat(e.offset()).isEqualTo(head.length());
            assertThat(e.name()).isEqualTo("d-flat.vmdk");
            assertThat(e.resolved()).isEqualTo(dir.resolve("d-flat.vmdk"));
        }).hasMessageContaining("missing");
    }

    @Test
    void theImageOnTheCommandLineIsTheHostsBusiness() throws Exception {
        Path pipe = dir.resolve("top.pipe");
        Sh.run("mkfifo", pipe.toString());
        assertThatThrownBy(() -> ImageOpener.open(pipe, OpenOptions.DEFAULT)).isInstanceOf(HostException.class)
                .hasMessageContaining("not a regular file (a FIFO)");
        Cli.Run fifo = Cli.run("ls", pipe.toString());
        assertThat(fifo.exit()).as(fifo.err()).isEqualTo(4);
        assertThat(fifo.err()).contains("not a regular file (a FIFO)");
        Cli.Run directory = Cli.run("ls", dir.toString());
        assertThat(directory.exit()).as(directory.err()).isEqualTo(4);
        assertThat(directory.err()).contains("not a regular file (a directory)");
        Cli.Run missing = Cli.run("ls", dir.resolve("nope.img").toString());
        assertThat(missing.exit()).as(missing.err()).isEqualTo(4);
        assertThat(missing.err()).contains("no such file");
    }
}
