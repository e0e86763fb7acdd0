package io.vdetach.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.testkit.ScratchHost;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxTest {
    @TempDir Path dir;

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void createWriteStatAndTimesWithNanoseconds() throws Exception {
        Fd d = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
        try {
            Fd fd = Linux.openat(d, b("f"), Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL, 0600);
            Linux.pwriteFully(fd, ByteBuffer.wrap(b("hello")), 3);
            Linux.fchmod(fd, 04755);
            Linux.utimens(fd, new byte[0], -100, 5, 4102444800L, 123456789);
            Stat st = Linux.fstat(fd);
            assertThat(st.size()).isEqualTo(8);
            assertThat(st.mode() & 07777).isEqualTo(04755);
            assertThat(st.mtimeSeconds()).isEqualTo(4102444800L);
            assertThat(st.mtimeNanos()).isEqualTo(123456789);
            fd.close();
            assertThatThrownBy(() -> Linux.openat(d, b("f"), Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL, 0600))
                    .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.EEXIST)).isTrue())
                    .hasMessageContaining("openat(f)").hasMessageContaining("File exists");
        } finally {
            d.close();
        }
    }

    @Test
    void specialFilesLinksAndXattrs() throws Exception {
        Fd d = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
        try {
            Linux.mkfifoat(d, b("fifo"), 0640);
            Linux.symlinkat(b("../x"), d, b("link"));
            assertThat(Linux.readlinkat(d, b("link"))).isEqualTo(b("../x"));
            Fd fd = Linux.openat(d, b("f"), Linux.O_RDWR | Linux.O_CREAT, 0600);
            Linux.linkat(d, b("f"), d, b("g"));
            assertThat(Linux.fstat(fd).nlink()).isEqualTo(2);
            Linux.fsetxattr(fd, "user.test", b("v"));
            assertThat(Linux.fgetxattr(fd, "user.test")).isEqualTo(b("v"));
            assertThat(Linux.fgetxattr(fd, "user.none")).isNull();
            assertThat(Linux.flistxattr(fd)).contains("user.test");
            fd.close();
            assertThat(Files.isSymbolicLink(dir.resolve("link"))).isTrue();
            assertThat(Linux.fstatat(d, b("fifo"), Linux.AT_SYMLINK_NOFOLLOW).mode() & 0170000).isEqualTo(Linux.S_IFIFO);
        } finally {
            d.close();
        }
    }

    @Test
    void beneathRefusesDotDotAndSymlinksBothWays() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/f"), "x");
        Files.createSymbolicLink(dir.resolve("a/up"), Path.of("/tmp"));
        Fd d = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
        try {
            BeneathPath.open(d, b("a/b/f"), Linux.O_RDONLY, 0).close();
            BeneathPath.walk(d, BeneathPath.split(b("a/b/f")), Linux.O_RDONLY, 0).close();
            assertThatThrownBy(() -> BeneathPath.open(d, b("a/../a/b/f"), Linux.O_RDONLY, 0)).isInstanceOf(SysException.class);
            assertThatThrownBy(() -> BeneathPath.open(d, b("a/up/x"), Linux.O_RDONLY, 0)).isInstanceOf(SysException.class);
            assertThatThrownBy(() -> BeneathPath.walk(d, BeneathPath.split(b("a/up/x")), Linux.O_RDONLY, 0))
                    .isInstanceOf(SysException.class);
            assertThatThrownBy(() -> Linux.openat2(d, b("a/up"), Linux.O_RDONLY, 0, Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS))
                    .isInstanceOf(SysException.class);
        } finally {
            d.close();
        }
    }

    @Test
    void cloneRangeSharesBlocksOnXfsAndFiemapSaysSo() throws Exception {
        try (ScratchHost host = ScratchHost.create(dir, "xfs", 300L << 20)) {
            Path src = host.resolve("src");
            byte[] data = new byte[1 << 20];
            new java.util.Random(1).nextBytes(data);
            Files.write(src, data);
            Fd s = Linux.open(src.toString(), Linux.O_RDONLY, 0);
            Fd t = Linux.open(host.resolve("dst").toString(), Linux.O_RDWR | Linux.O_CREAT, 0644);
            try {
                Linux.cloneRange(s, 4096, 65536, t, 0);
                List<FiemapExtent> ext = Linux.fiemap(t, 0, Long.MAX_VALUE);
                assertThat(ext).isNotEmpty().allMatch(FiemapExtent::shared);
                assertThat(Linux.fstatfs(t).typeName()).isEqualTo("xfs");
                assertThatThrownBy(() -> Linux.cloneRange(s, 100, 4096, t, 0)).isInstanceOfSatisfying(SysException.class,
                        e -> assertThat(e.is(Errno.EINVAL)).isTrue());
                Linux.punchHole(t, 0, 4096);
                assertThat(Linux.copyFileRange(s, 0, t, 1 << 20, 4096)).isEqualTo(4096);
            } finally {
                s.close();
                t.close();
            }
            byte[] got = Files.readAllBytes(host.resolve("dst"));
            assertThat(java.util.Arrays.copyOfRange(got, 4096, 65536)).isEqualTo(java.util.Arrays.copyOfRange(data, 8192, 69632));
            assertThat(java.util.Arrays.copyOfRange(got, 0, 4096)).containsOnly(0);
        }
    }

    @Test
    void aClosedDescriptorIsRefusedNotReused() throws Exception {
        Fd d = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
        d.close();
        d.close(); // a second close does nothing
        assertThat(d.isOpen()).isFalse();
        assertThatThrownBy(() -> Linux.fstat(d)).isInstanceOfSatisfying(SysException.class,
                e -> assertThat(e.is(Errno.EBADF)).isTrue());
    }
}
