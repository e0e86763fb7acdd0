package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NTFS alternate data streams: small ones become user.* xattrs (as ntfs-3g shows them), ones
 * too large for a host xattr become "<file>:<stream>" files beside the file, listed as warnings.
 */
class NtfsStreamsExtractTest {
    @TempDir Path dir;

    @Test
    void largeStreamBecomesAFileSmallOneAnXattr() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "getfattr");
        Path img = dir.resolve("ntfs.img");
        Sh.run("truncate", "-s", "32M", img.toString());
        Sh.run("mkntfs", "-q", "-F", "-Q", img.toString());
        byte[] big = FixtureTree.bytes(200_000, 77);
        Path bigSrc = dir.resolve("big.bin");
        Files.write(bigSrc, big);
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ntfs-3g", "streams_interface=windows")) {
            Files.writeString(m.path().resolve("doc.txt"), "main stream\n");
            Sh.run("cp", bigSrc.toString(), m.path().resolve("doc.txt:big").toString());
            Sh.bash("printf small > '" + m.path().resolve("doc.txt") + ":tiny'");
        }
        Path dest = dir.resolve("out");
        Cli.Run r = Cli.run("extract", "--json", img.toString(), dest.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(dest.resolve("disk/doc.txt")).hasContent("main stream\n");
        assertThat(Files.readAllBytes(dest.resolve("disk/doc.txt:big"))).isEqualTo(big);
        assertThat(r.out()).contains("doc.txt:big", "larger than a host xattr");
        assertThat(Sh.run("getfattr", "--only-values", "-n", "user.tiny", dest.resolve("disk/doc.txt").toString())).isEqualTo("small");
    }
}
