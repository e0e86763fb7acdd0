package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.ScratchHost;
import io.vdetach.testkit.Sh;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 19: a share-mode extract onto XFS must not take more of the host's free space at any
 * moment than plan says (peak_host_bytes, +20%), and plan must not overstate it by more than
 * 20% either. The free space is sampled by the JDK's FileStore (statfs) every millisecond
 * during the run; the guest is an ext4 made by mke2fs from files whose last blocks are partial.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransientSpaceTest {
    private static final long MIB = 1L << 20;
    private static final int FILES = 3000;
    private Path work;
    private Path tree;
    /** Files of the tree whose last 4 KiB block is partial: each is one written host block, the rest is shared. */
    private long partialTails;

    @BeforeAll
    void buildTree() throws Exception {
        Need.root();
        Need.tools("mke2fs", "mkfs.xfs");
        work = Files.createTempDirectory(Path.of("/var/tmp"), "vdetach-space");
        tree = work.resolve("tree");
        Random rnd = new Random(19);
        for (int i = 0; i < FILES; i++) {
            Path d = tree.resolve("d" + i / 1000);
            Files.createDirectories(d);
            byte[] data = new byte[1 + rnd.nextInt(12 << 10)];
            rnd.nextBytes(data);
            if (data.length % 4096 != 0) partialTails++;
            Files.write(d.resolve("f" + i), data);
        }
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    @Test
    void lowestFreeSpaceDuringShareExtractIsWhatPlanPredicts() throws Exception {
        try (ScratchHost host = ScratchHost.create(work, "xfs", 1024 * MIB)) {
            Path img = ExtFixture.mkfs(host.resolve("guest.img"), 96 * MIB, tree, "ext4", "space", "-b", "4096");
            Path dest = host.resolve("out");
            Cli.Run plan = Cli.run("plan", "--json", img.toString(), dest.toString());
            assertThat(plan.exit()).as(plan.out() + plan.err()).isZero();
            long predicted = number(plan.out(), "peak_host_bytes");
            long written = number(plan.out(), "host_bytes_written");
            assertThat(written).as("one host block for each partial last block").isEqualTo(partialTails * 4096);

            Sh.run("sync");
            FileStore store = Files.getFileStore(host.root());
            long before = store.getUnallocatedSpace();
            AtomicLong lowest = new AtomicLong(before);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread poller = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    try {
                        lowest.accumulateAndGet(store.getUnallocatedSpace(), Math::min);
                        Thread.sleep(1);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            Cli.Run r;
            try {
                r = Cli.run("extract", "--no-progress", "--mode", "share", "--json", img.toString(), dest.toString());
            } finally {
                running.set(false);
                poller.join();
            }
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            long peak = before - Math.min(lowest.get(), store.getUnallocatedSpace());
            System.out.printf("transient space: plan %d (written %d), measured peak %d (%.2f of plan), left used %d%n",
                    predicted, written, peak, (double) peak / predicted, before - store.getUnallocatedSpace());
            assertThat(peak).as("lowest free space within plan's peak +20%").isLessThanOrEqualTo(predicted * 12 / 10);
            assertThat(peak).as("plan's peak not overstated by more than 20%").isGreaterThanOrEqualTo(predicted * 8 / 10);
        }
    }

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
        assertThat(m.find()).as(key + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }
}
