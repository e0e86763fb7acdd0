package io.vdetach.image.splitraw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.MissingFileException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.ImageOracle;
import io.vdetach.testkit.Mutations;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Split raw sets made by {@code split} (and dfvfs's ext2.splitraw.000/001) read as the concatenated disk. */
class SplitRawImageTest {
    @TempDir Path dir;

    @Test
    void dfvfsSplitRaw() throws Exception {
        Path first = Corpus.file("dfvfs/ext2.splitraw.000");
        try (DiskImage d = ImageOpener.open(first, OpenOptions.DEFAULT)) {
            assertThat(d.format()).isEqualTo("split raw");
            assertThat(d.ownFiles()).hasSize(2);
            assertThat(d.size()).isEqualTo(4_194_304);
            Path cat = dir.resolve("cat.raw");
            Sh.bash("cat " + first + " " + first.resolveSibling("ext2.splitraw.001") + " > " + cat);
            ImageOracle.assertSameAsRaw(d, cat);
        }
    }

    @Test
    void everyNamingSplitWrites() throws Exception {
        Path raw = Mutations.smallRaw(dir);
        String want = ImageCheck.sha256(raw);
        String[][] sets = {{"split -b 1000000 %s a/xx.", "a/xx.aa"}, {"split -a 3 -b 1500000 %s b/y", "b/yaaa"},
                {"split -d -b 999999 %s c/disk.", "c/disk.00"}, {"split -d -a 3 --numeric-suffixes=1 -b 1048576 %s d/disk.", "d/disk.001"}};
        for (String[] s : sets) {
            Path first = dir.resolve(s[1]);
            Files.createDirectories(first.getParent());
            Sh.bash("cd " + dir + " && " + String.format(s[0], raw));
            try (DiskImage d = ImageOpener.open(first, OpenOptions.DEFAULT)) {
                assertThat(d.format()).as(s[0]).isEqualTo("split raw");
                assertThat(ImageCheck.sha256(d, 77777)).as(s[0]).isEqualTo(want);
                assertThat(d.map(0, d.size())).allMatch(r -> r instanceof Run.Mapped m && m.target() instanceof HostFile);
            }
        }
        // a single file named like a first part is plain raw
        Path lone = dir.resolve("lone.001");
        Files.copy(raw, lone);
        try (DiskImage d = ImageOpener.open(lone, OpenOptions.DEFAULT)) {
            assertThat(d.format()).isEqualTo("raw");
        }
    }

    @Test
    void aGapIsAMissingPart() throws Exception {
        Path raw = Mutations.smallRaw(dir);
        Sh.bash("split -d -a 3 --numeric-suffixes=1 -b 1048576 " + raw + " " + dir.resolve("g."));
        Files.delete(dir.resolve("g.002"));
        assertThatThrownBy(() -> ImageOpener.open(dir.resolve("g.001"), OpenOptions.DEFAULT))
                .isInstanceOf(MissingFileException.class).hasMessageContaining("g.002");
    }
}
