package io.vdetach.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One raw 64 MiB disk with real content, made once per test JVM by the real tools: a GPT
 * (sgdisk) with one ext4 partition filled by {@code mke2fs -d} from a tree of random and
 * compressible files, zeros after it, and 1 MiB of random bytes at 60 MiB (data after a hole).
 * Image-format tests convert it with qemu-img and compare against {@code qemu-img convert -O raw}.
 */
public final class DiskFixture {
    private DiskFixture() {}

    private static Path disk;

    /** The raw disk (do not modify it; copy first). */
    public static synchronized Path raw() throws IOException {
        if (disk != null) return disk;
        Need.tools("qemu-img", "sgdisk", "mke2fs");
        Path dir = Files.createTempDirectory("vdetach-disk");
        dir.toFile().deleteOnExit();
        Sh.bash("""
                cd %s
                mkdir -p tree/sub/deeper
                for i in $(seq 1 12); do head -c $((i * 300000 + 123)) /dev/urandom > tree/rand$i.bin; done
                for i in $(seq 1 8); do head -c $((i * 200000)) /dev/urandom | base64 > tree/sub/text$i.txt; done
                for i in $(seq 1 30); do echo "small file $i" > tree/sub/deeper/s$i; done
                truncate -s 64M disk.raw
                sgdisk -n 1:2048:+48M -t 1:8300 -c 1:data disk.raw >/dev/null
                mke2fs -q -F -t ext4 -b 4096 -L fixture -d tree part.img 48M
                dd if=part.img of=disk.raw bs=1M seek=1 conv=notrunc status=none
                head -c 1048576 /dev/urandom | dd of=disk.raw bs=1M seek=60 conv=notrunc status=none
                rm -rf tree part.img
                """.formatted(dir));
        disk = dir.resolve("disk.raw");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Sh.exec(null, "rm", "-rf", dir.toString())));
        return disk;
    }
}
