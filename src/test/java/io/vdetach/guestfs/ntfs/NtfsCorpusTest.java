package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.GuestTree;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Third-party NTFS images with facts asserted by their sources (testdata/SOURCES.md). */
class NtfsCorpusTest {
    @TempDir Path dir;

    @Test
    void colinFinckTestfs1() throws Exception {
        try (HostFile img = HostFile.open(Corpus.file("ColinFinck-ntfs/testfs1"));
             NtfsFilesystem fs = NtfsFilesystem.open(img, false, BlockCache.withDefaultBudget())) {
            assertThat(fs.label()).isEqualTo("mylabel");
            assertThat(fs.blockSize()).isEqualTo(512);
            TreeMap<String, EntryFacts> t = GuestTree.walk(fs);
            assertThat(t.get("empty-file").size()).isZero();
            assertThat(md5(fs, "file-with-12345")).isEqualTo("827ccb0eea8a706c4c34a16891f84e7b");
            assertThat(md5(fs, "1000-bytes-file")).isEqualTo("b427a4e60ca793a321a8e2a41e6a7581");
            assertThat(md5(fs, "sparse-file")).isEqualTo("ab08ecee3b915e1b34f778709f9af63b");
            assertThat(t.get("sparse-file").size()).isEqualTo(500_005);
            assertThat(t.get("1000-bytes-file").size()).isEqualTo(1000);
            Node sparse = fs.node(find(fs, "sparse-file"));
            List<Run> runs = fs.content(sparse).map(0, sparse.size());
            assertThat(runs).hasSize(3);
            assertThat(runs.get(1)).isInstanceOf(Run.Hole.class);
            assertThat(fs.content(fs.node(find(fs, "file-with-12345"))).map(0, 5).getFirst()).isInstanceOf(Run.Materialise.class);
            long dirs = t.keySet().stream().filter(k -> k.startsWith("many_subdirs/")).count();
            assertThat(dirs).isEqualTo(512);
            assertThat(t.get("many_subdirs/512").type()).isEqualTo("dir");
            assertThat(t.keySet()).doesNotContain("$MFT", "$Extend");
        }
    }

    @Test
    void colinFinckTestfs1WithSystemFiles() throws Exception {
        try (HostFile img = HostFile.open(Corpus.file("ColinFinck-ntfs/testfs1"));
             NtfsFilesystem fs = NtfsFilesystem.open(img, true, BlockCache.withDefaultBudget())) {
            TreeMap<String, EntryFacts> t = GuestTree.walk(fs);
            assertThat(t.keySet()).contains("$MFT", "$MFTMirr", "$LogFile", "$Volume", "$AttrDef", "$Bitmap", "$Boot",
                    "$BadClus", "$Secure", "$UpCase", "$Extend");
            assertThat(t.get("$UpCase").size()).isEqualTo(131072);
            assertThat(t.get("$Extend").type()).isEqualTo("dir");
        }
    }

    @Test
    void dfttUndeleteNtfs() throws Exception {
        try (HostFile img = HostFile.open(Corpus.file("dftt/7-undel-ntfs/7-ntfs-undel.dd"));
             NtfsFilesystem fs = NtfsFilesystem.open(img, false, BlockCache.withDefaultBudget())) {
            assertThat(fs.label()).isEqualTo("NTFS_DEL");
            TreeMap<String, EntryFacts> t = GuestTree.walk(fs);
            assertThat(t).containsKey("System Volume Information/tracking.log");
            // Deleted files are not extracted: the only allocated user content is tracking.log.
            assertThat(t.keySet()).containsExactlyInAnyOrder(".", "System Volume Information", "System Volume Information/tracking.log");
        }
    }

    /** Volumes formatted and written by Windows, converted to raw by qemu-img, against ntfs-3g's mount. */
    @ParameterizedTest
    @ValueSource(strings = {"dissect.hypervisor/dynamic.vhd", "dissect.hypervisor/fixed.vhdx", "dfvfs/vsstest.qcow2",
        "vmdk-rs/monolithicSparse.vmdk"})
    void windowsMadeVolumesMatchNtfs3g(String image) throws Exception {
        Path source = Corpus.file(image);
        Need.root();
        Need.tools("qemu-img", "ntfs-3g", "getfattr");
        Path raw = dir.resolve("disk.raw");
        Sh.run("qemu-img", "convert", "-O", "raw", source.toString(), raw.toString());
        try (HostFile img = HostFile.open(raw)) {
            Volume v = VolumeScanner.scan(img).getFirst();
            TreeMap<String, EntryFacts> expected;
            try (LoopMount m = LoopMount.readOnly(raw, v.start(), v.size(), "ntfs-3g", "streams_interface=xattr")) {
                expected = NtfsOracleTest.oracle(HostTree.walk(m.path()), m.path().toString());
            }
            try (NtfsFilesystem fs = NtfsFilesystem.open(v.layer(), false, BlockCache.withDefaultBudget())) {
                if (image.startsWith("dissect")) assertThat(fs.label()).isEqualTo("New Volume");
                if (!image.startsWith("dissect")) assertThat(expected).hasSizeGreaterThan(1); // the dissect volumes are empty
                TreeAssert.assertSameTree(expected, NtfsOracleTest.ours(GuestTree.walk(fs)));
            }
            if (image.startsWith("dissect")) {
                try (NtfsFilesystem fs = NtfsFilesystem.open(v.layer(), true, BlockCache.withDefaultBudget())) {
                    assertThat(GuestTree.walk(fs)).containsKey("$Extend/$RmMetadata/$TxfLog");
                }
            }
        }
    }

    static long find(NtfsFilesystem fs, String name) throws Exception {
        for (DirEntry e : fs.list(fs.node(fs.rootId()))) {
            if (new String(e.name(), StandardCharsets.UTF_8).equals(name)) return e.id();
        }
        throw new AssertionError("no " + name);
    }

    static String md5(NtfsFilesystem fs, String name) throws Exception {
        Node n = fs.node(find(fs, name));
        ByteBuffer b = ByteBuffer.allocate((int) n.size());
        fs.content(n).readFully(0, b);
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b.array()));
    }
}
