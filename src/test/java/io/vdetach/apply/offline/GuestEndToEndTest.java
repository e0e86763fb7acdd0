package io.vdetach.apply.offline;

import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real flow: a guest ext4 disk made by mke2fs (whole disk or in an MBR partition, 4 KiB or
 * 1 KiB guest blocks) lies in an ext4 host; GuestItems reads it through the host device, the
 * offline writer detaches it. The guest mounted read-only before the detach is the reference.
 */
class GuestEndToEndTest {

    @ParameterizedTest(name = "guest blocks {0}, partitioned {1}")
    @CsvSource({"4096,false", "4096,true", "1024,false"})
    void extractedTreeEqualsTheMountedGuest(int guestBlock, boolean partitioned, @TempDir Path dir) throws Exception {
        Need.root();
        Need.tools("mke2fs", "e2fsck", "debugfs", "losetup", "mount", "sfdisk", "mknod", "setfattr");
        Path g = Files.createDirectories(dir.resolve("guest-src"));
        populate(g);
        Path hostSrc = Files.createDirectories(dir.resolve("host-src/vm"));
        Path img = hostSrc.resolve("disk.img");
        long offset = partitioned ? 1 << 20 : 0;
        Sh.run("truncate", "-s", "40M", img.toString());
        if (partitioned) Sh.bash("printf 'start=2048, type=83\\n' | sfdisk -q " + img);
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", Integer.toString(guestBlock), "-E", "offset=" + offset,
                "-d", g.toString(), img.toString(), (39 << 20) / guestBlock + "");
        TreeMap<String, EntryFacts> reference;
        try (LoopMount m = LoopMount.readOnly(img, offset, 39 << 20, "ext4", "")) {
            reference = HostTree.walk(m.path());
        }
        if (Sh.has("setfacl")) {
            assertThat(reference.get("size-4097").xattrs()).containsKey("system.posix_acl_access");
            assertThat(reference.get("deep").xattrs()).containsKey("system.posix_acl_default");
        }
        Path dev = dir.resolve("host.ext4");
        Sh.run("truncate", "-s", "96M", dev.toString());
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", dir.resolve("host-src").toString(), dev.toString());
        Files.delete(img);
        List<long[]> imageBlocks = HostFixture.extents(dev, "/vm/disk.img");

        java.util.concurrent.atomic.AtomicReference<List<String>> errors = new java.util.concurrent.atomic.AtomicReference<>();
        OfflineReport r = OfflineDetach.run(dev, "/vm/disk.img", "/restored", layer -> {
            GuestItems.Result items = GuestItems.of(layer, null);
            errors.set(items.errors());
            return items.items();
        }, OfflineOptions.withUndo(dir.resolve("undo")));
        System.out.println(r.toJson());
        assertThat(errors.get()).isEmpty();
        Sh.Result fsck = Sh.exec(null, "e2fsck", "-fn", dev.toString());
        assertThat(fsck.exit()).as("e2fsck -fn:\n" + fsck.out() + fsck.err()).isZero();
        String vol = partitioned ? "p1" : "disk";
        try (LoopMount m = LoopMount.readOnly(dev, 0, 0, "ext4", "")) {
            TreeAssert.assertSameTree(reference, HostTree.walk(m.path().resolve("restored/" + vol)));
            assertThat(Files.exists(m.path().resolve("vm/disk.img"))).isFalse();
        }
        if (guestBlock == 4096) {
            assertThat(r.blocksCopied()).as("4 KiB guest blocks on a 4 KiB host: nothing to copy").isZero();
            for (long[] e : HostFixture.extents(dev, "/restored/" + vol + "/big/random.bin")) {
                assertThat(imageBlocks.stream().anyMatch(i -> e[0] >= i[0] && e[1] <= i[1])).isTrue();
            }
        }
    }

    private static void populate(Path g) throws Exception {
        SplittableRandom r = new SplittableRandom(99);
        Files.createDirectories(g.resolve("big"));
        byte[] b = new byte[3 << 20];
        r.nextBytes(b);
        Files.write(g.resolve("big/random.bin"), b);
        for (int size : new int[] {0, 1, 4095, 4096, 4097, 70000}) {
            byte[] x = new byte[size];
            r.nextBytes(x);
            Files.write(g.resolve("size-" + size), x);
        }
        Sh.run("truncate", "-s", "5M", g.resolve("sparse.bin").toString());
        Sh.bash("printf tail >> " + g.resolve("sparse.bin"));
        Files.createDirectories(g.resolve("many"));
        for (int i = 0; i < 600; i++) Files.writeString(g.resolve("many/entry-" + i + ".txt"), "entry " + i + "\n".repeat(i % 50));
        Files.createDirectories(g.resolve("deep/er/and/deeper"));
        Files.writeString(g.resolve("deep/er/and/deeper/leaf.txt"), "leaf");
        Files.writeString(g.resolve("naïve café ✓.txt"), "utf-8 name");
        Files.createSymbolicLink(g.resolve("short-link"), Path.of("size-1"));
        Files.createSymbolicLink(g.resolve("long-link"), Path.of("deep/er/and/deeper/" + "../".repeat(20) + "x".repeat(40)));
        Files.createLink(g.resolve("hard-a"), g.resolve("size-4097"));
        Files.createLink(g.resolve("deep/hard-b"), g.resolve("size-4097"));
        Sh.run("mkfifo", g.resolve("fifo").toString());
        Sh.run("mknod", g.resolve("null-dev").toString(), "c", "1", "3");
        Sh.run("setfattr", "-n", "user.colour", "-v", "green", g.resolve("size-1").toString());
        Sh.run("setfattr", "-n", "user.big", "-v", "0x" + "ab".repeat(400), g.resolve("size-70000").toString());
        Sh.run("chown", "1234:5678", g.resolve("size-0").toString());
        if (Sh.has("setfacl")) {
            Sh.run("setfacl", "-m", "u:1234:rwx,g:5678:r-x", g.resolve("size-4097").toString());
            Sh.run("setfacl", "-d", "-m", "u:1234:rwx", g.resolve("deep").toString());
        }
        Sh.run("chmod", "4751", g.resolve("size-4096").toString());
        Sh.run("touch", "-d", "2041-03-04 05:06:07.123456789", g.resolve("size-4095").toString());
    }
}
