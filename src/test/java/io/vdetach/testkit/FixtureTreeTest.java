package io.vdetach.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture tree is what it promises, and mke2fs -d carries it into ext4 unchanged. */
class FixtureTreeTest {
    @TempDir Path dir;

    @Test
    void treeSurvivesMke2fsAsTheKernelSeesIt() throws Exception {
        Need.root();
        Need.tools("mke2fs", "getfattr");
        Path tree = dir.resolve("tree");
        FixtureTree.create(tree, FixtureTree.Options.small().withDeviceNode());
        TreeMap<String, EntryFacts> host = HostTree.walk(tree);
        assertThat(host.get("big/large.bin").size()).isEqualTo(8L << 20);
        assertThat(host.get("perms/setuid").mode()).isEqualTo(04755);
        assertThat(host.get(FixtureTree.PRE_EPOCH).mtimeSeconds()).isEqualTo(-2);
        assertThat(host.get(FixtureTree.YEAR_2100).mtimeNanos()).isEqualTo(987654321);
        assertThat(host.get("special/null-copy").type()).isEqualTo("chr");
        assertThat(host.get("hard1/original").linkGroup()).contains("hard2/link-to-original");
        assertThat(host.get("xattrs/large").xattrs()).containsKey("user.big");
        long allocated = (Long) Files.getAttribute(tree.resolve("sparse/hole-end"), "unix:size", LinkOption.NOFOLLOW_LINKS);
        assertThat(allocated).isEqualTo(4L << 20);

        ExtFixture.Disk disk = ExtFixture.unpartitionedExt4(dir, tree);
        try (LoopMount m = LoopMount.readOnly(disk.image(), 0, 0, "ext4", "")) {
            TreeMap<String, EntryFacts> guest = HostTree.walk(m.path(), "lost+found");
            host.remove(".");
            guest.remove(".");
            TreeAssert.assertSameTree(host, guest);
        }
    }
}
