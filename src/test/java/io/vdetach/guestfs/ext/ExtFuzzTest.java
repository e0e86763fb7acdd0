package io.vdetach.guestfs.ext;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.error.VdetachException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random damage to the metadata of real images (deterministic seeds): whatever the bytes, the
 * reader answers or throws a VdetachException / IOException, in bounded time and memory; no
 * unchecked exception, no hang.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExtFuzzTest {
    @TempDir Path dir;

    @Test
    void randomMetadataDamageNeverEscapesAsAnUncheckedException() throws Exception {
        Need.tools("mke2fs");
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("d/e"));
        for (int i = 0; i < 60; i++) Files.write(tree.resolve("d/f" + i), FixtureTree.bytes(i * 97, i));
        Files.write(tree.resolve("d/e/big"), FixtureTree.bytes(300_000, 99));
        Files.createSymbolicLink(tree.resolve("d/short"), Path.of("f1"));
        Files.createSymbolicLink(tree.resolve("d/long"), Path.of("x".repeat(200)));
        Files.getFileAttributeView(tree.resolve("d/f3"), java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write("k", ByteBuffer.wrap(FixtureTree.bytes(300, 5)));
        int runs = 0;
        for (String[] variant : List.of(new String[] {"-t", "ext4", "-O", "inline_data"}, new String[] {"-t", "ext2", "-b", "1024"},
                new String[] {"-t", "ext4", "-b", "1024", "-O", "64bit,metadata_csum"})) {
            Path img = dir.resolve("v" + runs + ".img");
            List<String> cmd = Sh.list("mke2fs", "-q", "-F");
            cmd.addAll(List.of(variant));
            cmd.addAll(List.of("-d", tree.toString(), img.toString(), "4M"));
            Sh.run(cmd.toArray(String[]::new));
            byte[] clean = Files.readAllBytes(img);
            int metadataEnd = metadataEnd(clean);
            SplittableRandom rnd = new SplittableRandom(runs * 7919L + 1);
            for (int iter = 0; iter < 200; iter++) {
                byte[] bad = clean.clone();
                int flips = 1 + rnd.nextInt(8);
                for (int k = 0; k < flips; k++) {
                    int at = rnd.nextInt(metadataEnd);
                    bad[at] = switch (rnd.nextInt(4)) {
                        case 0 -> (byte) 0xff;
                        case 1 -> 0;
                        case 2 -> (byte) (bad[at] ^ (1 << rnd.nextInt(8)));
                        default -> (byte) rnd.nextInt(256);
                    };
                }
                exercise(new Bytes(bad));
            }
            runs++;
        }
        assertThat(runs).isEqualTo(3);
    }

    /** The range holding superblock, descriptors, inode tables and the first directory blocks. */
    private static int metadataEnd(byte[] img) {
        return Math.min(img.length, 1 << 20);
    }

    private static void exercise(Layer volume) {
        try {
            GuestFilesystem fs = ExtFilesystem.open(volume);
            ArrayDeque<Long> dirs = new ArrayDeque<>(List.of(fs.rootId()));
            Set<Long> seen = new HashSet<>();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (!dirs.isEmpty() && seen.size() < 10_000) {
                long id = dirs.pop();
                if (!seen.add(id)) continue;
                Node d;
                List<DirEntry> entries;
                try {
                    d = fs.node(id);
                    if (!d.isDirectory()) continue;
                    entries = fs.list(d);
                } catch (VdetachException | IOException expected) {
                    continue;
                }
                for (DirEntry e : entries) {
                    try {
                        Node n = fs.node(e.id());
                        if (n.isDirectory()) dirs.push(n.id());
                        if (n.type() == io.vdetach.guestfs.EntryType.FILE) {
                            Layer c = fs.content(n);
                            for (Run r : c.map(0, c.size())) assertThat(r.end()).isLessThanOrEqualTo(c.size());
                            for (long pos = 0; pos < Math.min(c.size(), 1L << 22); pos += buf.capacity()) {
                                buf.clear();
                                c.read(pos, buf);
                            }
                        }
                    } catch (VdetachException | IOException expected) {
                        // Damage in one inode fails that inode only.
                    }
                }
            }
        } catch (VdetachException | IOException expected) {
            // A damaged superblock or first group fails the open.
        }
    }

    /** An image in memory. */
    private record Bytes(byte[] b) implements Layer {
        @Override public long size() { return b.length; }

        @Override
        public int read(long offset, ByteBuffer dst) {
            if (offset >= b.length) return 0;
            int n = (int) Math.min(dst.remaining(), b.length - offset);
            dst.put(b, (int) offset, n);
            return n;
        }

        @Override
        public List<Run> map(long offset, long length) {
            long end = Math.min(b.length, offset + length);
            return end <= offset ? List.of() : List.of(new Run.Mapped(offset, end - offset, this, offset));
        }

        @Override public String describe() { return "memory"; }
    }
}
