package io.vdetach.guestfs.ext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attributes the fixture tree cannot carry through mke2fs -d, written through the kernel:
 * POSIX ACLs (ext4's compact form, shown in the xattr form), trusted.* and security.*, values
 * in EA inodes (ea_inode); and fscrypt-encrypted entries, which are reported, not misread.
 */
class ExtXattrTest {
    @TempDir Path dir;

    /** posix_acl_xattr v2: user::rw-, user:1000:r--, group::r--, mask::r--, other::r--. */
    static final String ACL = "02000000" + "01000600ffffffff" + "02000400e8030000" + "04000400ffffffff"
            + "10000400ffffffff" + "20000400ffffffff";

    @BeforeEach
    void need() {
        Need.root();
        Need.tools("mke2fs", "setfattr", "getfattr");
    }

    @Test
    void aclsTrustedSecurityAndEaInodeValues() throws Exception {
        Path img = dir.resolve("x.img");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-O", "ea_inode", img.toString(), "32M");
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ext4", "")) {
            Path f = Files.writeString(m.path().resolve("acl-file"), "acl\n");
            Sh.run("setfattr", "-n", "system.posix_acl_access", "-v", "0x" + ACL, f.toString());
            Path d = Files.createDirectory(m.path().resolve("acl-dir"));
            Sh.run("setfattr", "-n", "system.posix_acl_default", "-v", "0x" + ACL, d.toString());
            Files.writeString(d.resolve("inherits"), "inherited acl\n");
            Path t = Files.writeString(m.path().resolve("trusted"), "t\n");
            Sh.run("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", t.toString());
            Sh.run("setfattr", "-n", "security.test", "-v", "0x00ff00", t.toString());
            Path big = Files.writeString(m.path().resolve("big-xattr"), "b\n");
            // 20,000 bytes cannot fit a 4 KiB xattr block: with ea_inode it goes to its own inode.
            Sh.run("setfattr", "-n", "user.huge", "-v", "0x" + HexFormat.of().formatHex(io.vdetach.testkit.FixtureTree.bytes(20_000, 9)),
                    big.toString());
        }
        try (HostFile h = HostFile.open(img); LoopMount m = LoopMount.readOnly(img, 0, 0, "ext4", "")) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            Node f = ExtCorpusTest.lookup(fs, "acl-file");
            assertThat(f.xattrs()).extracting(Xattr::name).contains("system.posix_acl_access");
            Node big = ExtCorpusTest.lookup(fs, "big-xattr");
            assertThat(big.xattrs()).singleElement().satisfies(x -> assertThat(x.value()).hasSize(20_000));
            TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), GuestTree.walk(fs, "lost+found"));
        }
    }

    @Test
    void encryptedEntriesAreReportedNotMisread() throws Exception {
        Path img = dir.resolve("enc.img");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-O", "encrypt", img.toString(), "16M");
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ext4", "test_dummy_encryption")) {
            Path d = Files.createDirectory(m.path().resolve("secret"));
            Files.writeString(d.resolve("file"), "hidden\n");
        } catch (AssertionError e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "kernel lacks test_dummy_encryption: " + e.getMessage());
        }
        try (HostFile h = HostFile.open(img)) {
            GuestFilesystem fs = ExtFilesystem.open(h);
            assertThat(fs.warnings()).anyMatch(w -> w.contains("fscrypt"));
            Node secret = ExtCorpusTest.lookup(fs, "secret");
            assertThat(secret.notes()).anyMatch(n -> n.contains("encrypted"));
            assertThatThrownBy(() -> fs.list(secret)).isInstanceOf(UnsupportedImageException.class)
                    .hasMessageContaining("encrypted");
        }
    }
}
