package io.vdetach.image.ewf;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.Mutations;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line over evidence containers: ls shows case data and stored hashes, verify --image, --allow-missing-delta. */
class EwfCliTest {
    @TempDir Path dir;

    @Test
    void lsShowsCaseDataAndStoredHashes() {
        Path e01 = Corpus.file("dfvfs/ext2.split.E01");
        Cli.Run r = Cli.run("ls", "--volumes-only", e01.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("case    case number: case").contains("case    examiner: examiner")
                .contains("case    acquisition date: 2021-07-22 15:33:30 UTC")
                .contains("case    acquisition software version: 20140812")
                .contains("hash    MD5 (stored): 196066add11fb71c4c49cf1bb50d6d24").contains("ewf segment");
        Cli.Run j = Cli.run("ls", "--volumes-only", "--json", e01.toString());
        assertThat(j.out()).contains("\"stored_hashes\"").contains("\"MD5\": \"196066add11fb71c4c49cf1bb50d6d24\"");
    }

    @Test
    void verifyImageRecomputesTheStoredHashes() throws Exception {
        Path e01 = EwfFixture.acquire(Mutations.smallRaw(dir), dir, "v", "none", 64, "8MiB");
        Cli.Run ok = Cli.run("verify", "--image", e01.toString());
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("MD5").contains("match").contains("the media matches its stored hashes");
        byte[] b = Files.readAllBytes(e01);
        long sectors = EwfFixture.section(b, "sectors");
        b[(int) sectors + 76 + 5000] ^= 0x40; // one byte of chunk 0
        Files.write(e01, b);
        Cli.Run bad = Cli.run("verify", "--image", e01.toString());
        assertThat(bad.exit()).as(bad.out() + bad.err()).isEqualTo(1);
        assertThat(bad.out()).contains("MISMATCH").contains("chunk 0");
        Cli.Run raw = Cli.run("verify", "--image", dir.resolve("small.raw").toString());
        assertThat(raw.exit()).isEqualTo(2);
    }

    @Test
    void missingDeltaThroughTheCommandLine() throws Exception {
        Need.tools("qemu-img", "qemu-io");
        // data after a zero first MiB: a disk whose start is not recognised and not zeros is exit 3 now
        Path raw = dir.resolve("small.raw");
        Sh.bash("{ head -c 1048576 /dev/zero; head -c 1048576 /dev/urandom; head -c 1048576 /dev/zero;"
                + " head -c 1048576 /dev/urandom; } > " + raw);
        Sh.run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", raw.toString(),
                dir.resolve("base.vmdk").toString());
        Sh.run("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", "-b", "base.vmdk", "-F", "vmdk",
                dir.resolve("mid.vmdk").toString());
        Sh.run("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", "-b", "mid.vmdk", "-F", "vmdk",
                dir.resolve("top.vmdk").toString());
        Files.delete(dir.resolve("mid-s001.vmdk"));
        Cli.Run r = Cli.run("ls", dir.resolve("top.vmdk").toString());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("mid-s001.vmdk").contains("mid.vmdk");
        Cli.Run cut = Cli.run("ls", "--allow-missing-delta", dir.resolve("top.vmdk").toString());
        assertThat(cut.exit()).as(cut.err()).isZero();
        assertThat(cut.out()).contains("warning --allow-missing-delta").contains("left out");
        Path dump = dir.resolve("d.raw");
        Cli.Run d = Cli.run("dump", "--allow-missing-delta", dir.resolve("top.vmdk").toString(), dump.toString());
        assertThat(d.exit()).as(d.out() + d.err()).isZero();
        assertThat(Files.mismatch(dump, raw)).isEqualTo(-1);
        Path out = dir.resolve("out");
        Cli.Run p = Cli.run("plan", "--allow-missing-delta", dir.resolve("top.vmdk").toString(), out.toString());
        assertThat(p.out() + p.err()).contains("--allow-missing-delta");
    }
}
