package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WOF (CompactOS) files. No Linux tool writes them, but their WofCompressedData stream has the
 * layout of a WIM resource (chunk table + chunks), so wimlib's own XPRESS and LZX compressor
 * (wimcapture with the WOF chunk sizes) produces the compressed bytes; ntfs-3g then stores them
 * as the stream, with a sparse unnamed stream of the file's size and the WOF reparse point.
 * The oracle is the original file.
 */
class NtfsWofTest {
    @TempDir Path dir;

    @Test
    void xpressAndLzxChunksAreDecompressed() throws Exception {
        Need.root();
        Need.tools("wimcapture", "wiminfo", "mkntfs", "ntfs-3g", "setfattr");
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        Path original = src.resolve("file.bin");
        Sh.bash("(yes 'The quick brown fox jumps over the lazy dog 0123456789' | head -c 50000; head -c 3000 /dev/urandom;"
                + " yes abc | head -c 20000; seq 1 30000; head -c 40000 /dev/urandom; printf '\\xe8\\x10\\x00\\x00\\x00%.0s' $(seq 1 2000)) > " + original + " || true");
        long size = Files.size(original);
        Path part = dir.resolve("ntfs.img");
        Sh.run("truncate", "-s", "16M", part.toString());
        Sh.run("mkntfs", "-F", "-Q", "-q", "-c", "4096", part.toString());
        Path mnt = Files.createTempDirectory("vdetach-ntfs-wof");
        String[][] kinds = {{"xpress4k", "XPRESS", "4096", "0"}, {"xpress8k", "XPRESS", "8192", "2"},
                {"xpress16k", "XPRESS", "16384", "3"}, {"lzx", "LZX", "32768", "1"}};
        try {
            Sh.run("ntfs-3g", "-o", "streams_interface=windows", part.toString(), mnt.toString());
            try {
                for (String[] k : kinds) {
                    Path res = wimResource(src, dir.resolve(k[0] + ".wim"), k[1], k[2], size);
                    Path f = mnt.resolve(k[0]);
                    Sh.run("truncate", "-s", Long.toString(size), f.toString());
                    Sh.run("cp", res.toString(), f + ":WofCompressedData");
                    ByteBuffer rp = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
                    rp.putInt(ReparsePoint.TAG_WOF).putShort((short) 16).putShort((short) 0)
                            .putInt(1).putInt(2).putInt(1).putInt(Integer.parseInt(k[3]));
                    Sh.run("setfattr", "-n", "system.ntfs_reparse_data", "-v", "0x" + HexFormat.of().formatHex(rp.array()), f.toString());
                }
                Path dedup = mnt.resolve("dedup");
                Sh.run("truncate", "-s", "5000", dedup.toString());
                ByteBuffer rp = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                rp.putInt(ReparsePoint.TAG_DEDUP).putShort((short) 8).putShort((short) 0).putLong(0x1234);
                Sh.run("setfattr", "-n", "system.ntfs_reparse_data", "-v", "0x" + HexFormat.of().formatHex(rp.array()), dedup.toString());
            } finally {
                Sh.run("umount", mnt.toString());
            }
        } finally {
            Files.deleteIfExists(mnt);
        }
        String expected = HostTree.sha256(original);
        try (HostFile img = HostFile.open(part); NtfsFilesystem fs = NtfsFilesystem.open(img, false, BlockCache.withDefaultBudget())) {
            for (String[] k : kinds) {
                Node n = fs.node(NtfsCorpusTest.find(fs, k[0]));
                assertThat(n.size()).isEqualTo(size);
                Layer content = fs.content(n);
                assertThat(n.notes()).as(k[0]).isEmpty();
                assertThat(n.xattrs()).noneMatch(x -> x.name().equals("user.WofCompressedData"));
                assertThat(fs.largeStreams(n)).isEmpty();
                assertThat(content.map(0, size)).allMatch(r -> r instanceof Run.Materialise);
                assertThat(GuestTree.sha256(content)).as(k[0]).isEqualTo(expected);
            }
            Node dedup = fs.node(NtfsCorpusTest.find(fs, "dedup"));
            assertThat(dedup.size()).isEqualTo(5000);
            assertThat(dedup.notes()).singleElement().asString().startsWith("deduplicated");
        }
    }

    /** Captures {@code src} into a WIM and returns the one file's compressed resource (chunk table + chunks). */
    private static Path wimResource(Path src, Path wim, String compression, String chunk, long size) throws Exception {
        Sh.run("wimcapture", src.toString(), wim.toString(), "--compress=" + compression, "--chunk-size=" + chunk);
        String blobs = Sh.run("wiminfo", "--blobs", wim.toString());
        Matcher m = Pattern.compile("Uncompressed size = (\\d+) bytes\\s+Compressed size\\s+= (\\d+) bytes\\s+Offset in WIM\\s+= (\\d+) bytes")
                .matcher(blobs);
        while (m.find()) {
            if (Long.parseLong(m.group(1)) != size) continue;
            long stored = Long.parseLong(m.group(2));
            long offset = Long.parseLong(m.group(3));
            assertThat(stored).as("wimlib compressed the file").isLessThan(size);
            byte[] b = new byte[(int) stored];
            try (RandomAccessFile r = new RandomAccessFile(wim.toFile(), "r")) {
                r.seek(offset);
                r.readFully(b);
            }
            Path out = wim.resolveSibling(wim.getFileName() + ".res");
            Files.write(out, b);
            return out;
        }
        throw new AssertionError("no blob of " + size + " bytes in\n" + blobs);
    }
}
