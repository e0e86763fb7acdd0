package io.vdetach.guestfs.xfs;

import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Sh;
import java.nio.file.Path;

/** Builds XFS images with mkfs.xfs and fills them through a read-write loop mount. */
final class XfsFixture {
    private XfsFixture() {}

    /** mkfs.xfs refuses filesystems under 300 MB unless it believes it runs under fstests. */
    static final String SMALL_OK = "TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 ";

    static Path script() {
        return Path.of(System.getProperty("user.dir"), "src/test/resources/xfs/populate.sh");
    }

    /** A populated image of {@code sizeMb} MiB made with {@code mkfsOptions}. */
    static Path build(Path dir, String name, int sizeMb, String mkfsOptions, String tree) throws Exception {
        Path img = dir.resolve(name);
        Sh.run("truncate", "-s", sizeMb + "M", img.toString());
        Sh.bash(SMALL_OK + "mkfs.xfs -q -f " + mkfsOptions + " " + img);
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "xfs", "")) {
            Sh.run("bash", script().toString(), m.path().toString(), tree);
        }
        return img;
    }
}
