package io.vdetach.apply.offline;

import io.vdetach.error.HostException;
import io.vdetach.error.VdetachException;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A damaged host is refused with a message naming the structure and where it lies, never
 * written: patched bytes in the structures the writer reads (superblock, descriptors, inode
 * table, directories, extent roots). A damaged host is the host's failure (exit 4), not the image's.
 */
class OfflineCorruptHostTest {

    private static Path smallHost(Path dir, String features) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/vm"));
        byte[] img = new byte[2 << 20];
        new SplittableRandom(1).nextBytes(img);
        Files.write(src.resolve("disk.img"), img);
        Path dev = dir.resolve("host.ext4");
        Sh.run("truncate", "-s", "16M", dev.toString());
        List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096"));
        if (!features.isEmpty()) cmd.addAll(List.of("-O", features));
        cmd.addAll(List.of("-d", dir.resolve("src").toString(), dev.toString()));
        Sh.run(cmd.toArray(String[]::new));
        return dev;
    }

    /** Byte offset of an inode, from debugfs imap. */
    private static long inodeOffset(Path dev, String path) {
        String out = Sh.run("debugfs", "-R", "imap " + path, dev.toString());
        Matcher m = Pattern.compile("located at block (\\d+), offset 0x([0-9a-f]+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1)) * 4096 + Long.parseLong(m.group(2), 16);
    }

    private static void poke(Path dev, long at, int... bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw")) {
            for (int i = 0; i < bytes.length; i++) {
                f.seek(at + i);
                f.write(bytes[i]);
            }
        }
    }

    private static void refused(Path dev, String message) {
        assertThatThrownBy(() -> {
            try (OfflineSession s = OfflineSession.open(dev, "vm/disk.img")) {
                s.detach("out", List.of(), OfflineOptions.dryRunOnly());
            }
        }).isInstanceOf(HostException.class).hasMessageContaining(message);
    }

    @Test
    void namedRefusals(@TempDir Path dir) throws Exception {
        Need.tools("mke2fs", "debugfs");
        // an extent header without its magic (no metadata_csum, so the inode itself still checks out)
        Path a = smallHost(dir.resolve("a"), "^metadata_csum");
        poke(a, inodeOffset(a, "/vm/disk.img") + 0x28, 0, 0);
        refused(a, "bad extent header magic");
        // the same byte with metadata_csum: the inode checksum catches it first
        Path b = smallHost(dir.resolve("b"), "");
        poke(b, inodeOffset(b, "/vm/disk.img") + 0x28, 0, 0);
        refused(b, "checksum mismatch");
        // a group descriptor with a wrong checksum
        Path c = smallHost(dir.resolve("c"), "");
        poke(c, 4096 + 0x1E, 0x12, 0x34);
        refused(c, "group descriptor 0 at offset 4126: checksum mismatch (device offset 4126)");
        // the image's first extent pointed at the inode table (debugfs re-checksums the inode)
        Path d = smallHost(dir.resolve("d"), "");
        long itable = Long.parseLong(Sh.run("dumpe2fs", d.toString()).lines().filter(l -> l.contains("Inode table at"))
                .findFirst().orElseThrow().replaceAll(".*Inode table at (\\d+).*", "$1"));
        Sh.run("debugfs", "-w", "-R", "sif /vm/disk.img block[5] " + itable, d.toString());
        refused(d, "overlaps filesystem metadata");
        // a directory entry with a rec_len that runs off the block
        Path e = smallHost(dir.resolve("e"), "^metadata_csum");
        String root = Sh.run("debugfs", "-R", "stat /", e.toString());
        Matcher m = Pattern.compile("\\(0\\):(\\d+)").matcher(root);
        assertThat(m.find()).isTrue();
        long rootBlock = Long.parseLong(m.group(1));
        poke(e, rootBlock * 4096 + 4, 0xF0, 0x7F);
        refused(e, "directory entry of inode 2 at offset " + rootBlock * 4096 + ": rec_len 32752 runs past the block");
        // not cleanly unmounted
        Path f = smallHost(dir.resolve("f"), "");
        Sh.run("debugfs", "-w", "-R", "ssv state 0", f.toString());
        refused(f, "not cleanly unmounted");
    }

    /** Random bytes flipped in every structure the writer reads: a refusal or a clean dry run, never a crash. */
    @Test
    void flippedBytesNeverEscapeAsCrashes(@TempDir Path dir) throws Exception {
        Need.tools("mke2fs", "debugfs");
        Path dev = smallHost(dir, "");
        long[] hot = {1024, 4096, inodeOffset(dev, "/vm/disk.img"), inodeOffset(dev, "/vm"), inodeOffset(dev, "/")};
        SplittableRandom r = new SplittableRandom(2026);
        int refusals = 0;
        for (int i = 0; i < 300; i++) {
            long base = hot[r.nextInt(hot.length)];
            long at = base + r.nextInt(base == 1024 ? 1024 : base == 4096 ? 256 : 256);
            byte[] old = new byte[1];
            try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw")) {
                f.seek(at);
                f.readFully(old);
                f.seek(at);
                f.write(old[0] ^ (1 << r.nextInt(8)));
            }
            try (OfflineSession s = OfflineSession.open(dev, "vm/disk.img")) {
                CarvedGuest g = new CarvedGuest(s.image());
                g.dir("", 0755, java.time.Instant.EPOCH);
                g.file("f", new io.vdetach.extent.Window(s.image(), 0, Math.min(s.image().size(), 100_000), "f"), 0644,
                        java.time.Instant.EPOCH, List.of());
                s.detach("out", g.items, OfflineOptions.dryRunOnly());
            } catch (VdetachException | IOException e) {
                refusals++;
            } catch (RuntimeException e) {
                throw new AssertionError("flip at byte " + at + " escaped as " + e, e);
            } finally {
                poke(dev, at, old[0] & 0xFF);
            }
        }
        System.out.println("refusals: " + refusals + " of 300");
        assertThat(refusals).isPositive();
    }
}
