package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.ManifestFile;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.OracleFacts;
import io.vdetach.testkit.ScratchHost;
import io.vdetach.testkit.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hashes where extraction reads nothing or reads in image order: share mode on XFS (the shared
 * bytes are read for the hash alone), detach --streaming onto ext4 (pieces hashed as they are
 * copied, unit by unit), and a streaming run killed half way and resumed (the units the first run
 * had punched are hashed from the extracted files). Every hash against sha256sum of a read-only
 * loop mount of the guest taken before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestShareTest {
    private static final long MIB = 1L << 20;
    private Path work;
    private ExtFixture.Disk gpt;
    private Map<String, OracleFacts.Facts> stat;
    private Map<String, String> sha256;

    @BeforeAll
    void build() throws Exception {
        Need.root();
        Need.tools("mke2fs", "sgdisk", "python3", "sha256sum", "mkfs.xfs");
        work = Files.createTempDirectory("vdetach-manifest-share");
        Path tree = work.resolve("tree");
        FixtureTree.create(tree, FixtureTree.Options.small());
        gpt = ExtFixture.gptExt4(work, tree);
        ExtFixture.Part p = gpt.part("p1");
        try (LoopMount m = LoopMount.readOnly(gpt.image(), p.offset(), p.size(), "ext4", "")) {
            stat = OracleFacts.stat(m.path());
            sha256 = OracleFacts.digests(m.path(), "sha256sum");
        }
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    @Test
    void shareModeHashesWhatItNeverCopies() throws Exception {
        try (ScratchHost host = ScratchHost.create(work, "xfs", 512 * MIB)) {
            Path image = host.resolve("guest.img");
            Sh.run("cp", "--sparse=always", gpt.image().toString(), image.toString());
            Path manifest = work.resolve("share.manifest");
            Cli.Run r = Cli.run("extract", "--mode", "share", "--json", "--manifest", manifest.toString(), image.toString(),
                    host.resolve("out").toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            Map<String, ManifestFile.Line> byName = ManifestChecks.assertMatches(ManifestFile.entries(manifest), "p1", stat, sha256,
                    null, true, true);
            ManifestFile.Line large = byName.get("big/large.bin");
            // the fixture's 1 KiB guest blocks leave some extents unaligned with the host's 4 KiB: those are copied
            assertThat(large.num("shared_bytes")).isGreaterThan(4 * MIB);
            assertThat(large.num("shared_bytes") + large.num("copied_bytes")).isEqualTo(8 * MIB);
        }
    }

    @Test
    void streamingDetachHashesAsItCopiesAndAfterAResume() throws Exception {
        try (ScratchHost host = ScratchHost.create(work, "ext4", 256 * MIB)) {
            Path image = host.resolve("guest.img");
            Sh.run("cp", "--sparse=always", gpt.image().toString(), image.toString());
            Path manifest = work.resolve("streaming.manifest");
            Cli.Run r = Cli.run("detach", "--streaming", "--window", "1M", "--json", "--manifest", manifest.toString(),
                    image.toString(), host.resolve("out").toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(image).doesNotExist();
            ManifestChecks.assertMatches(ManifestFile.entries(manifest), "p1", stat, sha256, null, true, true);
            assertThat(ManifestFile.read(manifest).getFirst().str("command")).isEqualTo("detach --streaming");

            // killed after three units were copied, synced and punched; resumed with a new manifest
            Sh.run("rm", "-rf", host.resolve("out").toString());
            Sh.run("cp", "--sparse=always", gpt.image().toString(), image.toString());
            Path first = work.resolve("killed.manifest");
            Process p = HaltingDetach.start("window:3", MIB, image, host.resolve("out"), first);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(137);
            List<ManifestFile.Line> killed = ManifestFile.read(first);
            assertThat(killed.getFirst().type()).as("the header is written at once").isEqualTo("header");
            assertThat(killed).noneMatch(l -> "summary".equals(l.type()));
            Path resumed = work.resolve("resumed.manifest");
            Cli.Run again = Cli.run("detach", "--streaming", "--window", "1M", "--json", "--manifest", resumed.toString(),
                    image.toString(), host.resolve("out").toString());
            assertThat(again.exit()).as(again.out() + again.err()).isZero();
            ManifestChecks.assertMatches(ManifestFile.entries(resumed), "p1", stat, sha256, null, true, true);
        }
    }
}
