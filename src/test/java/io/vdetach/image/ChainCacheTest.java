package io.vdetach.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backing chain shares the one block cache of its opened image: 64 qcow2 files, each of which
 * used to keep up to 12 MiB of caches of its own, read within one small budget, and correctly.
 */
class ChainCacheTest {
    @TempDir Path dir;

    @Test
    void aChainOf64Qcow2FilesReadsWithinOneBudget() throws Exception {
        Need.tools("qemu-img", "qemu-io");
        int depth = 64;
        Path prev = dir.resolve("c0.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", prev.toString(), "8M");
        StringBuilder script = new StringBuilder("set -e\n");
        for (int i = 1; i < depth; i++) {
            Path next = dir.resolve("c" + i + ".qcow2");
            // each layer writes its own 64 KiB, some over the layers below, so every one of them is read
            script.append("qemu-img create -q -f qcow2 -o cluster_size=4096 -b c").append(i - 1).append(".qcow2 -F qcow2 ")
                    .append(next).append('\n')
                    .append("qemu-io -c 'write -P ").append(i).append(' ').append((i * 96L) << 10).append(" 64k' ").append(next)
                    .append(" >/dev/null\n");
            prev = next;
        }
        Sh.bash("cd " + dir + "\n" + script);
        Path oracle = ImageCheck.qemuRaw(prev, dir.resolve("oracle.raw"));
        BlockCache cache = new BlockCache(256 << 10);
        try (DiskImage d = ImageOpener.open(prev, OpenOptions.DEFAULT, cache)) {
            assertThat(d.chain()).hasSize(depth);
            assertThat(ImageCheck.sha256(d)).isEqualTo(ImageCheck.sha256(oracle));
            ImageCheck.assertMapConsistent(d, oracle);
            assertThat(cache.bytes()).isPositive().isLessThanOrEqualTo(cache.budget());
            assertThat(cache.stats()).contains("qcow2 L2 tables of " + dir.toRealPath().resolve("c1.qcow2"));
        }
    }
}
