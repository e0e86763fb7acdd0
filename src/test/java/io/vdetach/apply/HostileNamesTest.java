package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.ImagePatch;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crafted ext4 whose directory entries were patched to hold "..", ".", "/" inside a name,
 * and a directory entry named like a symlink to a canary directory outside DEST: nothing may
 * be written outside DEST.
 */
class HostileNamesTest {
    @TempDir Path dir;

    @Test
    void nothingEscapesDest() throws Exception {
        Need.root();
        Need.tools("mke2fs");
        Path canary = Files.createDirectories(dir.resolve("canary"));
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("DD"), "dotdot");
        Files.writeString(tree.resolve("D"), "dot");
        Files.writeString(tree.resolve("sXs"), "slash");
        Files.createDirectories(tree.resolve("ab"));
        Files.writeString(tree.resolve("ab/x"), "under the directory named like the symlink");
        Files.createSymbolicLink(tree.resolve("aa"), canary);
        Files.createDirectories(tree.resolve("deeper"));
        Files.writeString(tree.resolve("deeper/QQ"), "second dotdot");
        Path img = dir.resolve("hostile.img");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-O", "^metadata_csum,^dir_index", "-d", tree.toString(), img.toString(), "8M");
        ImagePatch.replaceDirEntryName(img, "DD", "..");
        ImagePatch.replaceDirEntryName(img, "D", ".");
        ImagePatch.replaceDirEntryName(img, "sXs", "s/s");
        ImagePatch.replaceDirEntryName(img, "ab", "aa");
        ImagePatch.replaceDirEntryName(img, "QQ", "..");

        Path box = Files.createDirectories(dir.resolve("box"));
        Path dest = box.resolve("dest");
        Cli.Run r = Cli.run("extract", "--json", img.toString(), dest.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("would leave its directory");
        // Errors are values: a hostile name is the image's fault, and --json says which kind.
        assertThat(r.out()).containsPattern("\"kind\": \"corrupt\",\\s*\"reason\": \"[^\\n]*would leave its directory");
        try (Stream<Path> s = Files.list(canary)) {
            assertThat(s.toList()).as("nothing written through the symlink").isEmpty();
        }
        try (Stream<Path> s = Files.list(box)) {
            assertThat(s.toList()).as("nothing beside DEST").containsExactly(dest);
        }
        assertThat(dest.resolve("disk/s%2Fs")).hasContent("slash");
        assertThat(Files.isSymbolicLink(dest.resolve("disk/aa"))).isTrue();
        assertThat(dest.resolve("disk/aa (1)/x")).hasContent("under the directory named like the symlink");
        try (Stream<Path> s = Files.list(dest.resolve("disk/deeper"))) {
            assertThat(s.toList()).as("the guest's \"..\" entry is not created").isEmpty();
        }
    }
}
