package io.vdetach.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.DiskFixture;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vdetach dump} of qcow2 and VMDK images (chains, compression, snapshots) equals {@code qemu-img convert -O raw}. */
class DumpQcow2VmdkTest {
    @TempDir Path dir;
    private int n;

    private void assertDumpEqualsQemu(Path img, String... extra) {
        Path ours = dir.resolve("ours" + (n++) + ".raw");
        String[] args = new String[3 + extra.length];
        args[0] = "dump";
        System.arraycopy(extra, 0, args, 1, extra.length);
        args[1 + extra.length] = img.toString();
        args[2 + extra.length] = ours.toString();
        Cli.Run r = Cli.run(args);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        try {
            Path oracle = dir.resolve("oracle" + n + ".raw");
            if (extra.length == 0) ImageCheck.qemuRaw(img, oracle);
            else Sh.run("qemu-img", "convert", "-O", "raw", "-l", "snapshot.name=" + extra[1], img.toString(), oracle.toString());
            assertThat(ImageCheck.sha256(ours)).as(img.toString()).isEqualTo(ImageCheck.sha256(oracle));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void dumpsEqualQemu() throws Exception {
        Need.tools("qemu-img", "qemu-io");
        Path raw = DiskFixture.raw();
        Path zc = dir.resolve("z.qcow2");
        Sh.run("qemu-img", "convert", "-c", "-O", "qcow2", "-o", "compression_type=zstd", raw.toString(), zc.toString());
        Path top = dir.resolve("top.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "z.qcow2", "-F", "qcow2", top.toString());
        Sh.run("qemu-io", "-c", "write -P 0x11 3M 96k", top.toString());
        Sh.run("qemu-img", "snapshot", "-c", "before", top.toString());
        Sh.run("qemu-io", "-c", "write -P 0x12 3M 1M", top.toString());
        assertDumpEqualsQemu(top);
        assertDumpEqualsQemu(top, "--snapshot", "before");
        Path so = dir.resolve("s.vmdk");
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.toString(), so.toString());
        assertDumpEqualsQemu(so);
    }
}
