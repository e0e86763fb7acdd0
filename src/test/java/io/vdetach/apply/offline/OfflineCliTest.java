package io.vdetach.apply.offline;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vdetach offline detach} on the command line: the options every writing command takes,
 * usage errors that point at its own help, and a report that stays valid JSON (python3's parser
 * is the judge) whatever its notes hold.
 */
class OfflineCliTest {

    @Test
    void usageErrorSuggestsTheOfflineDetachHelp() {
        Cli.Run r = Cli.run("offline", "detach", "--bogus", "--device", "x", "--image", "y", "--to", "z");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--bogus").contains("Try 'vdetach offline detach --help'.");
    }

    @Test
    void noProgressAndJsonAreAcceptedOnADryRun(@TempDir Path dir) throws Exception {
        Need.tools("mke2fs", "e2fsck", "dumpe2fs", "python3");
        HostFixture fx = HostFixture.make(dir, "", 16, 20, 64);
        String before = HostFixture.sha256(fx.device());
        Cli.Run r = Cli.run("offline", "detach", "--no-progress", "--json", "--dry-run", "--device", fx.device().toString(),
                "--image", "vm/disk.img", "--to", "out");
        assertThat(r.exit()).as(r.err()).isIn(0, 1);
        assertThat(r.out().lines().count()).isEqualTo(1);
        assertThat(parse(dir, r.out().strip())).contains("'dry_run': True");
        assertThat(HostFixture.sha256(fx.device())).isEqualTo(before);
    }

    @Test
    void notesWithControlCharactersAndQuotesStayValidJson(@TempDir Path dir) throws Exception {
        Need.tools("python3");
        String note = "host directory \"a\\b\"\n\t\u0001\u001f\u007f end";
        OfflineReport r = new OfflineReport(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 4096, false, 1.5, List.of(note, "plain"), "qcow2", 11,
                java.util.Map.of("unaligned", 12L, "materialised: \"x\"", 13L), List.of("/vm/a.qcow2"), List.of());
        String json = r.toJson();
        assertThat(json).doesNotContain("\n").doesNotContain("\t").doesNotContain("\u0001");
        String parsed = parse(dir, json);
        assertThat(parsed).contains("'notes': ['host directory \"a\\\\b\"\\n\\t\\x01\\x1f\\x7f end', 'plain']")
                .contains("'files': 1").contains("'block_size': 4096").contains("'seconds': 1.5")
                .contains("'bytes_copied': 25").contains("'bytes_copied_by_reason': {'materialised: \"x\"': 13, 'unaligned': 12}")
                .contains("'image_files_removed': ['/vm/a.qcow2']");
    }

    /** What python3's json module makes of {@code json}, printed as a Python value. */
    private static String parse(Path dir, String json) throws Exception {
        Path f = dir.resolve("report.json");
        java.nio.file.Files.writeString(f, json);
        return Sh.run("python3", "-c", "import json,sys; print(json.load(open(sys.argv[1])))", f.toString()).strip();
    }
}
