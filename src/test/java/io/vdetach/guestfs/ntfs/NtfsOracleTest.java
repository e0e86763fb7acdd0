package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.TreeAssert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our reader against ntfs-3g's read-only mount (streams_interface=xattr) of the same partition.
 *
 * <p>Not compared, on purpose: {@code user.ntfs.crtime}/{@code user.ntfs.attrib} (ours only, with --ntfs-xattrs);
 * the mount point that ntfs-3g prefixes to absolute link targets (we use ""); the WOF file,
 * which ntfs-3g without its plugin shows as an "unsupported reparse tag" symlink and we extract
 * as a file with a note; the 100,000-byte stream, which no host xattr can hold (checked separately).
 */
class NtfsOracleTest {
    @TempDir Path dir;

    @Test
    void gpt4kClustersEveryFeature() throws Exception {
        compare(NtfsFixture.Layout.GPT, 4096, 96L << 20);
    }

    @Test
    void mbr512ByteClusters() throws Exception {
        compare(NtfsFixture.Layout.MBR, 512, 64L << 20);
    }

    @Test
    void bare64kClusters() throws Exception {
        compare(NtfsFixture.Layout.BARE, 65536, 128L << 20);
    }

    @Test
    void fragmentedMftWithTwentyThousandFiles() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "ntfsinfo", "getfattr");
        NtfsFixture.Disk disk = NtfsFixture.build(dir, NtfsFixture.Layout.BARE, 4096, 112L << 20, NtfsFixture.fragmentedMft(700, 29));
        String info = io.vdetach.testkit.Sh.run("ntfsinfo", "-v", "-i", "0", disk.image().toString());
        java.util.regex.Matcher runs = java.util.regex.Pattern.compile("Total runs: (\\d+)").matcher(info);
        assertThat(runs.find()).isTrue();
        assertThat(Integer.parseInt(runs.group(1))).as("$MFT fragments").isGreaterThan(150);
        assertThat(info).as("$MFT has an attribute list").contains("$ATTRIBUTE_LIST (0x20) from mft record 0");
        TreeMap<String, EntryFacts> expected;
        try (LoopMount m = LoopMount.readOnly(disk.image(), 0, disk.size(), "ntfs-3g", "streams_interface=xattr")) {
            expected = oracle(HostTree.walk(m.path()), m.path().toString());
        }
        try (HostFile img = HostFile.open(disk.image()); NtfsFilesystem fs = NtfsFilesystem.open(img, false, BlockCache.withDefaultBudget())) {
            TreeMap<String, EntryFacts> actual = ours(GuestTree.walk(fs));
            assertThat(actual).hasSizeGreaterThan(20_000);
            TreeAssert.assertSameTree(expected, actual);
        }
    }

    private void compare(NtfsFixture.Layout layout, int cluster, long size) throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "setfattr", "getfattr", "sgdisk", "sfdisk");
        NtfsFixture.Disk disk = NtfsFixture.build(dir, layout, cluster, size, NtfsFixture.FEATURES);
        TreeMap<String, EntryFacts> expected;
        try (LoopMount m = LoopMount.readOnly(disk.image(), disk.offset(), disk.size(), "ntfs-3g", "streams_interface=xattr")) {
            expected = oracle(HostTree.walk(m.path()), m.path().toString());
        }
        try (HostFile img = HostFile.open(disk.image()); NtfsFilesystem fs = NtfsFilesystem.open(disk.volume(img), false, BlockCache.withDefaultBudget())) {
            assertThat(fs.blockSize()).isEqualTo(cluster);
            assertThat(fs.label()).isEqualTo("fixture");
            TreeMap<String, EntryFacts> actual = ours(GuestTree.walk(fs));
            expected.remove("wof");
            actual.remove("wof");
            TreeAssert.assertSameTree(expected, actual);

            Node small = fs.node(NtfsCorpusTest.find(fs, "small"));
            List<NamedStream> big = fs.largeStreams(small);
            assertThat(big).hasSize(1);
            assertThat(new String(big.getFirst().name(), StandardCharsets.UTF_8)).isEqualTo("bigstream");
            assertThat(GuestTree.sha256(big.getFirst().content())).isEqualTo(HostTree.sha256(dir.resolve("bigstream.bin")));
            assertThat(small.nlink()).isEqualTo(3);
            // Creation time and attributes are the node's; as xattrs only when asked (--ntfs-xattrs).
            assertThat(small.btime()).isNotNull();
            assertThat(small.fileAttributes()).isNotNegative();
            assertThat(small.xattrs()).noneMatch(x -> x.name().equals(NtfsFilesystem.XATTR_CRTIME));
            try (NtfsFilesystem withXattrs = NtfsFilesystem.open(disk.volume(img), false, true, BlockCache.withDefaultBudget())) {
                assertThat(withXattrs.node(small.id()).xattrs())
                        .anyMatch(x -> x.name().equals(NtfsFilesystem.XATTR_CRTIME) && x.value().length == 8);
            }

            Node wof = fs.node(NtfsCorpusTest.find(fs, "wof"));
            assertThat(wof.notes()).containsExactly("WOF-compressed (XPRESS4K): not decompressed; content is the raw unnamed stream");

            Node links = fs.node(NtfsCorpusTest.find(fs, "links"));
            assertThat(fs.list(links)).hasSize(121);

            // Data of uncompressed files is shared with the volume; compressed units are materialised.
            Layer random = fs.content(fs.node(NtfsCorpusTest.find(fs, "random")));
            assertThat(random.map(0, random.size())).allMatch(r -> r instanceof Run.Mapped);
            if (cluster <= 4096) {
                Node c = fs.node(NtfsCorpusTest.find(fs, "c"));
                long text = -1;
                for (DirEntry e : fs.list(c)) if (new String(e.name(), StandardCharsets.UTF_8).equals("text")) text = e.id();
                Layer t = fs.content(fs.node(text));
                assertThat(t.map(0, t.size())).anyMatch(r -> r instanceof Run.Materialise m && m.reason().equals(NtfsStream.COMPRESSED));
            }
        }
    }

    /** ntfs-3g's absolute link targets start with its mount point; ours start at the volume root. */
    static TreeMap<String, EntryFacts> oracle(Map<String, EntryFacts> tree, String mountPoint) {
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        HostTree.linksBelowMount(tree, mountPoint).forEach((k, f) -> {
            TreeMap<String, String> x = new TreeMap<>(f.xattrs());
            x.remove("user.bigstream");
            out.put(k, new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(), f.mtimeSeconds(), f.mtimeNanos(),
                    f.linkTarget(), f.rdev(), x, f.linkGroup()));
        });
        return out;
    }

    static TreeMap<String, EntryFacts> ours(Map<String, EntryFacts> tree) {
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        tree.forEach((k, f) -> {
            TreeMap<String, String> x = new TreeMap<>(f.xattrs());
            x.remove(NtfsFilesystem.XATTR_CRTIME);
            x.remove(NtfsFilesystem.XATTR_ATTRIB);
            out.put(k, new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(), f.mtimeSeconds(), f.mtimeNanos(),
                    f.linkTarget(), f.rdev(), x, f.linkGroup()));
        });
        return out;
    }
}
