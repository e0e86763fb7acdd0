package io.vdetach.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.GuestDisk;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --snapshot} through the command line: honoured where the format keeps snapshots inside
 * the image (qcow2), refused with exit 2 naming the format everywhere else; never silently ignored.
 */
class SnapshotOptionTest {
    @TempDir Path dir;

    private Path small() {
        Path raw = dir.resolve("small.raw");
        Sh.run("truncate", "-s", "4M", raw.toString());
        return raw;
    }

    @ParameterizedTest
    @CsvSource({"raw, raw, raw", "vpc, vhd, vhd", "vhdx, vhdx, vhdx", "vdi, vdi, vdi", "vmdk, vmdk, vmdk"})
    void formatsWithoutInternalSnapshotsRefuseTheOption(String qemuFormat, String ext, String format) {
        Path img = qemuFormat.equals("raw") ? small() : GuestDisk.convert(small(), qemuFormat, dir.resolve("d." + ext));
        Cli.Run r = Cli.run("ls", "--snapshot", "nonexistent", img.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("--snapshot", format + " image", "no snapshots inside").doesNotContain("\tat ");
        assertThat(r.out()).doesNotContain("volume");
        Cli.Run list = Cli.run("ls", "--snapshots", img.toString());
        assertThat(list.exit()).as(list.out() + list.err()).isZero();
        assertThat(list.out()).contains("no internal snapshots", format + " keeps none");
    }

    @Test
    void qcow2SnapshotsAreListedOpenedAndAMissingOneIsAUsageError() {
        Need.tools("qemu-img", "qemu-io");
        Path img = dir.resolve("s.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", img.toString(), "4M");
        // data past the first 256 KiB: a disk that starts with anything unrecognised is refused (exit 3)
        Sh.run("qemu-io", "-c", "write -P 0x01 1M 1M", img.toString());
        Sh.run("qemu-img", "snapshot", "-c", "first", img.toString());
        Sh.run("qemu-img", "snapshot", "-c", "second", img.toString());

        Cli.Run list = Cli.run("ls", "--snapshots", img.toString());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("1 +first").containsPattern("2 +second");
        Cli.Run json = Cli.run("ls", "--snapshots", "--json", img.toString());
        assertThat(json.out()).contains("\"name\": \"first\"", "\"name\": \"second\"");

        Cli.Run byName = Cli.run("ls", "--volumes-only", "--snapshot", "second", img.toString());
        assertThat(byName.exit()).as(byName.err()).isZero();
        assertThat(byName.out()).contains("reading snapshot 2 \"second\"");
        Cli.Run byId = Cli.run("ls", "--volumes-only", "--snapshot", "1", img.toString());
        assertThat(byId.out()).contains("reading snapshot 1 \"first\"");

        Cli.Run missing = Cli.run("ls", "--snapshot", "nope", img.toString());
        assertThat(missing.exit()).as(missing.out() + missing.err()).isEqualTo(2);
        assertThat(missing.err()).contains("no internal snapshot \"nope\"", "1 \"first\"", "2 \"second\"");
    }
}
