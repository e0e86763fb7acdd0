package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.GuestDisk;
import io.vdetach.testkit.ImageCheck;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdetach dump} of every format qemu-img makes from one raw disk (random data, zero runs,
 * holes) equals {@code qemu-img convert -O raw} of the same image, into a tmpfs (another
 * filesystem than the image's: the copy_file_range path failed there with EXDEV) and onto the
 * image's own filesystem; what qemu-img maps as no data stays a hole in OUT (SEEK_DATA); an OUT
 * that exists is refused untouched.
 */
class DumpTest {
    @TempDir Path dir;

    /** An image, the -f name qemu-img needs to read it, and what it is for messages. */
    private record Image(String what, Path path, String format) {}

    private List<Image> images() throws Exception {
        Need.tools("qemu-img");
        Path raw = GuestDisk.raw();
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        List<Image> out = new ArrayList<>();
        out.add(new Image("raw", GuestDisk.convert(raw, "raw", src.resolve("d.raw")), "raw"));
        out.add(new Image("qcow2", GuestDisk.convert(raw, "qcow2", src.resolve("d.qcow2")), "qcow2"));
        Path compressed = GuestDisk.convert(raw, "qcow2", src.resolve("c.qcow2"), "-c");
        out.add(new Image("qcow2 compressed", compressed, "qcow2"));
        Path top = src.resolve("top.qcow2");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "c.qcow2", "-F", "qcow2", top.toString());
        if (Sh.has("qemu-io")) {
            Sh.run("qemu-io", "-c", "write -P 0x5a 3M 96k", "-c", "write -z 8M 1M", "-c", "write -P 0x11 47M 512k", top.toString());
        }
        out.add(new Image("qcow2 over a compressed backing file", top, "qcow2"));
        out.add(new Image("vhd fixed", GuestDisk.convert(raw, "vpc", src.resolve("f.vhd"), "-o", "subformat=fixed"), "vpc"));
        out.add(new Image("vhd dynamic", GuestDisk.convert(raw, "vpc", src.resolve("d.vhd"), "-o", "subformat=dynamic"), "vpc"));
        out.add(new Image("vhdx", GuestDisk.convert(raw, "vhdx", src.resolve("d.vhdx")), "vhdx"));
        out.add(new Image("vmdk monolithicSparse", GuestDisk.convert(raw, "vmdk", src.resolve("s.vmdk"), "-o",
                "subformat=monolithicSparse"), "vmdk"));
        out.add(new Image("vmdk streamOptimized", GuestDisk.convert(raw, "vmdk", src.resolve("o.vmdk"), "-o",
                "subformat=streamOptimized"), "vmdk"));
        out.add(new Image("vdi", GuestDisk.convert(raw, "vdi", src.resolve("d.vdi")), "vdi"));
        return out;
    }

    @Test
    void everyFormatDumpsLikeQemuOntoAnotherFilesystemAndItsOwn() throws Exception {
        List<Image> images = images();
        Path tmpfs = Files.createDirectories(dir.resolve("tmpfs"));
        boolean mounted = "root".equals(System.getProperty("user.name"))
                && Sh.exec(null, "mount", "-t", "tmpfs", "-o", "size=1g", "tmpfs", tmpfs.toString()).exit() == 0;
        Path other = mounted ? tmpfs : Files.createTempDirectory(Path.of("/dev/shm"), "vdetach-dump");
        try {
            assertThat(Sh.run("stat", "-f", "-c", "%T", other.toString()).trim()).isEqualTo("tmpfs");
            for (Image img : images) {
                Path oracle = GuestDisk.expand(img.path(), img.format(), dir.resolve("oracle.raw"));
                String want = ImageCheck.sha256(oracle);
                for (Path out : List.of(other.resolve("out.raw"), dir.resolve("same-fs.raw"))) {
                    Cli.Run r = Cli.run("dump", "--json", img.path().toString(), out.toString());
                    assertThat(r.exit()).as(img.what() + " into " + out + ": " + r.out() + r.err()).isZero();
                    assertThat(ImageCheck.sha256(out)).as(img.what() + " into " + out).isEqualTo(want);
                    assertHolesKept(img, out, oracle);
                    Files.delete(out);
                }
                Files.delete(oracle);
            }
        } finally {
            if (mounted) Sh.exec(null, "umount", tmpfs.toString());
            else Sh.exec(null, "rm", "-rf", other.toString());
        }
    }

    /**
     * Every range qemu-img maps as holding no data (4 KiB-aligned inside) has no data in OUT
     * either; where qemu-img maps none (a fixed VHD is all data to it), the holes of its own raw
     * expansion (blocks of zeros it leaves out) must be holes in OUT.
     */
    private static void assertHolesKept(Image img, Path out, Path oracle) throws Exception {
        String map = Sh.run("qemu-img", "map", "--output=json", "-f", img.format(), img.path().toString());
        Matcher m = Pattern.compile("\"start\": (\\d+), \"length\": (\\d+),[^}]*\"data\": false").matcher(map);
        StringBuilder ranges = new StringBuilder();
        while (m.find()) {
            long start = (Long.parseLong(m.group(1)) + 4095) & -4096L;
            long end = (Long.parseLong(m.group(1)) + Long.parseLong(m.group(2))) & -4096L;
            if (end > start) ranges.append(start).append(' ').append(end).append('\n');
        }
        String script = """
                import os, sys
                out = os.open(sys.argv[1], os.O_RDONLY)
                ranges = [tuple(map(int, l.split())) for l in sys.stdin.read().split('\\n') if l]
                if not ranges:
                    fd = os.open(sys.argv[2], os.O_RDONLY); size = os.fstat(fd).st_size; pos = 0
                    while pos < size:
                        try: d = os.lseek(fd, pos, os.SEEK_DATA)
                        except OSError: d = size
                        if d > pos: ranges.append((pos, d))
                        if d >= size: break
                        pos = os.lseek(fd, d, os.SEEK_HOLE)
                print(sum(b - a for a, b in ranges))
                for a, b in ranges:
                    try: d = os.lseek(out, a, os.SEEK_DATA)
                    except OSError: continue
                    if d < b: print(f"data at {d} inside the hole {a}..{b}")
                """;
        Path in = out.resolveSibling(out.getFileName() + ".holes");
        Files.writeString(in, ranges);
        String[] found = Sh.bash("python3 -c \"$(cat <<'PY'\n" + script + "PY\n)\" " + out + " " + oracle + " < " + in).split("\n", 2);
        Files.delete(in);
        assertThat(Long.parseLong(found[0].trim())).as(img.what() + ": hole bytes to check").isPositive();
        assertThat(found.length > 1 ? found[1] : "").as(img.what() + ": holes of the image stay holes in " + out).isEmpty();
    }

    /** ENOSPC stops the dump with exit 4; every file the engine opened is closed (the tmpfs unmounts) and OUT is gone. */
    @Test
    void aFullHostStopsTheDumpAndClosesEverything() throws Exception {
        Need.root();
        Need.tools("qemu-img");
        Path img = GuestDisk.convert(GuestDisk.raw(), "qcow2", dir.resolve("d.qcow2"));
        Path small = Files.createDirectories(dir.resolve("small"));
        Sh.run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString());
        try {
            Cli.Run r = Cli.run("dump", img.toString(), small.resolve("out.raw").toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(4);
            assertThat(r.err()).contains("No space left");
            assertThat(small.resolve("out.raw")).doesNotExist();
            Sh.Result u = Sh.exec(null, "umount", small.toString());
            assertThat(u.exit()).as("every file closed, so the tmpfs unmounts: " + u.err()).isZero();
        } finally {
            if (Sh.exec(null, "mountpoint", "-q", small.toString()).exit() == 0) Sh.exec(null, "umount", "-l", small.toString());
        }
    }

    @Test
    void anExistingOutIsRefusedAndLeftAlone() throws Exception {
        Need.tools("qemu-img");
        Path img = GuestDisk.convert(GuestDisk.raw(), "qcow2", dir.resolve("d.qcow2"));
        Path out = dir.resolve("taken.raw");
        Files.writeString(out, "mine\n");
        Cli.Run r = Cli.run("dump", img.toString(), out.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(4);
        assertThat(r.err()).contains("exists: not overwritten");
        assertThat(out).hasContent("mine");
        assertThat(Files.size(out)).isEqualTo(5);
    }
}
