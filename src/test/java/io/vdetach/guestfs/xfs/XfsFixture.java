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

    /** What xfs_logprint (an independent reader) says of the log: "CLEAN" or "DIRTY". */
    static String logState(Path img) {
        String out = Sh.run("xfs_logprint", "-t", img.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("state: <(\\w+)>").matcher(out);
        if (!m.find()) throw new AssertionError("no log state in xfs_logprint output:\n" + out);
        return m.group(1);
    }

    /** Asserts that our warning about the log agrees with xfs_logprint. */
    static void assertLogWarningMatches(XfsFilesystem fs, Path img) {
        boolean dirty = logState(img).equals("DIRTY");
        org.assertj.core.api.Assertions.assertThat(fs.warnings().stream().anyMatch(w -> w.contains("not cleanly unmounted")))
                .as("dirty-log warning vs xfs_logprint").isEqualTo(dirty);
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
