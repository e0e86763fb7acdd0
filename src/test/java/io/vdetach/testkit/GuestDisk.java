package io.vdetach.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One small raw guest disk with real content, shared by the image-format tests: 48 MiB, a GPT
 * made by sgdisk, one ext4 partition filled by {@code mke2fs -d} from a directory of random
 * files (with sparse files and zero runs), and unused (zero) space after the filesystem.
 * Built once per checkout under {@code target/fixtures}, then reused.
 */
public final class GuestDisk {
    public static final long SIZE = 48L << 20;

    private GuestDisk() {}

    /** The raw disk, built when missing (needs sgdisk and mke2fs). */
    public static synchronized Path raw() throws IOException {
        Need.tools("sgdisk", "mke2fs");
        Path dir = Path.of(System.getProperty("user.dir"), "target", "fixtures");
        Path raw = dir.resolve("guestdisk-48m.raw");
        if (Files.isRegularFile(raw)) return raw;
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, "build");
        Path img = work.resolve("disk.raw");
        Path tree = work.resolve("tree");
        Sh.bash("set -e; mkdir -p " + tree + "/docs/deep/er " + tree + "/empty\n"
                + "cd " + tree + "\n"
                + "head -c 3000000 /dev/urandom > big.bin\n"
                + "head -c 7340032 /dev/urandom > docs/seven.bin\n"
                + "for i in $(seq 1 40); do head -c $((i * 997)) /dev/urandom > docs/deep/small$i; done\n"
                + "echo hello > docs/deep/er/hello.txt\n"
                + "{ head -c 1048576 /dev/urandom; head -c 2097152 /dev/zero; head -c 524288 /dev/urandom; } > zeros-inside.bin\n"
                + "truncate -s 5M sparse.img; printf tail | dd of=sparse.img bs=1 seek=4194304 conv=notrunc status=none\n"
                + "ln -s docs/deep/er/hello.txt link\n");
        Sh.run("truncate", "-s", String.valueOf(SIZE), img.toString());
        // the filesystem fills the partition: 40 MiB at 1 MiB; the last 7 MiB of the disk stay zero.
        // mke2fs first: it zeroes the start of the file it is given, offset or not.
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", tree.toString(), "-E", "offset=1048576,nodiscard",
                img.toString(), "40M");
        Sh.run("sgdisk", "-n", "1:2048:+40M", "-t", "1:8300", "-c", "1:data", img.toString());
        Files.move(img, raw, StandardCopyOption.ATOMIC_MOVE);
        Sh.run("rm", "-rf", work.toString());
        return raw;
    }

    /** Converts {@code from} with {@code qemu-img convert -O fmt [opts]} into {@code to}. */
    public static Path convert(Path from, String fmt, Path to, String... opts) {
        Need.tools("qemu-img");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("qemu-img", "convert", "-O", fmt));
        cmd.addAll(java.util.List.of(opts));
        cmd.add(from.toString());
        cmd.add(to.toString());
        Sh.run(cmd.toArray(String[]::new));
        return to;
    }

    /** The oracle: {@code qemu-img convert -f fmt -O raw image raw}. */
    public static Path expand(Path image, String fmt, Path raw) {
        Need.tools("qemu-img");
        Sh.run("qemu-img", "convert", "-f", fmt, "-O", "raw", image.toString(), raw.toString());
        return raw;
    }
}
