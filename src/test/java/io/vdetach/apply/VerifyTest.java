package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.ImagePatch;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify through the command line: it fails (exit 1, naming the entry, on stderr too) for a flipped
 * byte, a changed mode, a changed mtime, a missing file and an extra file; it finds a renamed entry
 * where extraction put it ("esc (1)" for a guest holding a symlink and a directory both named
 * "esc"), and never looks through an extracted symlink out of DEST. Images made by mke2fs -d, the
 * duplicate name patched in.
 */
@Timeout(120)
class VerifyTest {
    @TempDir Path dir;

    @Test
    void failsNamingEachEntryThatDiffers() throws Exception {
        Need.tools("mke2fs");
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.createDirectories(tree.resolve("sub"));
        for (String f : new String[] {"flipped", "chmodded", "touched", "removed", "kept"}) {
            Files.writeString(tree.resolve("sub/" + f), "content of " + f + "\n".repeat(1000));
        }
        Path img = dir.resolve("fs.ext4");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), img.toString(), "16M");
        Path dest = dir.resolve("out");
        assertThat(Cli.run("extract", img.toString(), dest.toString()).exit()).isZero();
        Cli.Run clean = Cli.run("verify", img.toString(), dest.toString());
        assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).contains("all equal");

        Path sub = dest.resolve("disk/sub");
        FileTime fileTime = Files.getLastModifiedTime(sub.resolve("flipped")), dirTime = Files.getLastModifiedTime(sub);
        try (RandomAccessFile f = new RandomAccessFile(sub.resolve("flipped").toFile(), "rw")) {
            f.seek(700);
            int b = f.read();
            f.seek(700);
            f.write(b ^ 0x01);
        }
        Files.setLastModifiedTime(sub.resolve("flipped"), fileTime); // only the content differs
        Files.setPosixFilePermissions(sub.resolve("chmodded"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setLastModifiedTime(sub.resolve("touched"), FileTime.from(Instant.parse("2001-02-03T04:05:06Z")));
        Files.delete(sub.resolve("removed"));
        Files.writeString(sub.resolve("extra"), "not in the image");
        Files.setLastModifiedTime(sub, dirTime); // the directory itself is as extracted

        Cli.Run r = Cli.run("verify", img.toString(), dest.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("MISMATCH disk/sub/flipped: content differs in bytes 0..",
                "MISMATCH disk/sub/chmodded: mode 0777, image says 0644",
                "MISMATCH disk/sub/touched: mtime 2001-02-03T04:05:06Z",
                "MISMATCH disk/sub/removed: missing in DEST",
                "MISMATCH disk/sub/extra: in DEST but not in the image",
                "5 mismatches");
        assertThat(r.out()).doesNotContain("disk/sub/kept");
        assertThat(r.err()).contains("vdetach: error: disk/sub/flipped: content differs", "vdetach: error: disk/sub/chmodded: mode",
                "vdetach: error: disk/sub/touched: mtime", "vdetach: error: disk/sub/removed: missing in DEST",
                "vdetach: error: disk/sub/extra: in DEST but not in the image");
        Cli.Run json = Cli.run("verify", "--json", img.toString(), dest.toString());
        assertThat(json.exit()).isEqualTo(1);
        assertThat(json.out()).startsWith("{").contains("\"path\": \"disk/sub/extra\"").doesNotContain("MISMATCH");
    }

    @Test
    void findsRenamedEntriesWhereExtractionPutThemAndNeverLeavesDest() throws Exception {
        Need.root();
        Need.tools("mke2fs", "debugfs");
        // The host directory a hostile guest's symlink points at; its file differs from the guest's in size and mode.
        Path host = Files.createDirectories(dir.resolve("host-secret"));
        Files.writeString(host.resolve("pwned"), "a host file of another size: 1234567890\n");
        Files.setPosixFilePermissions(host.resolve("pwned"), PosixFilePermissions.fromString("rw-------"));
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.createSymbolicLink(tree.resolve("esc"), host);
        Path img = dir.resolve("hostile.ext4");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-O", "^metadata_csum,^dir_index", "-d", tree.toString(), img.toString(), "8M");
        // The directory comes after the symlink (a higher inode: the walk meets it second), then takes its name.
        Path data = dir.resolve("pwned");
        Files.writeString(data, "guest data\n");
        Sh.run("debugfs", "-w", "-R", "mkdir esX", img.toString());
        Sh.run("debugfs", "-w", "-R", "write " + data + " esX/pwned", img.toString());
        Sh.run("debugfs", "-w", "-R", "sif esX/pwned mode 0100644", img.toString());
        ImagePatch.replaceDirEntryName(img, "esX", "esc");

        Path dest = dir.resolve("out");
        Cli.Run ex = Cli.run("extract", "--json", img.toString(), dest.toString());
        assertThat(ex.exit()).as(ex.out() + ex.err()).isZero();
        assertThat(Files.isSymbolicLink(dest.resolve("disk/esc"))).isTrue();
        assertThat(dest.resolve("disk/esc (1)/pwned")).hasContent("guest data\n");
        assertThat(ex.out()).contains("\"new_name\": \"esc (1)\"");

        Cli.Run r = Cli.run("verify", img.toString(), dest.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("all equal");
        assertThat(r.out() + r.err()).doesNotContain("0600", "41");

        // A DEST where the directory is missing and only the symlink is left: verify says so, and does not follow it.
        Sh.run("rm", "-rf", dest.resolve("disk/esc (1)").toString());
        Cli.Run gone = Cli.run("verify", img.toString(), dest.toString());
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.out()).contains("MISMATCH disk/esc: missing in DEST").doesNotContain("0600", "size 41");
        assertThat(host.resolve("pwned")).hasContent("a host file of another size: 1234567890\n");
    }
}
