package io.vdetach.guestfs.ext;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.TreeAssert;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture tree, put on ext2/3/4 by mke2fs -d in the disk layouts of issue 2, read by
 * vdetach (HostFile &rarr; VolumeScanner &rarr; FilesystemProbe &rarr; ExtFilesystem) and compared
 * entry by entry with the kernel's read-only loop mount of the same partition.
 */
class ExtFixtureTreeTest {
    @TempDir static Path shared;
    static Path tree;

    @TempDir Path dir;

    @BeforeAll
    static void buildTree() throws Exception {
        Need.root();
        Need.tools("mke2fs", "getfattr", "sgdisk", "sfdisk");
        tree = shared.resolve("tree");
        FixtureTree.create(tree, FixtureTree.Options.small().withDeviceNode());
    }

    @Test
    void gptExt4() throws Exception {
        compareAll(ExtFixture.gptExt4(dir, tree));
    }

    @Test
    void mbrLogicalExt2AndExt3() throws Exception {
        compareAll(ExtFixture.mbrLogicalExt2Ext3(dir, tree));
    }

    @Test
    void unpartitionedExt4() throws Exception {
        ExtFixture.Disk disk = ExtFixture.unpartitionedExt4(dir, tree);
        // e2fsck -D made the multi-block directory a hash tree: the reader must see through it.
        assertThat(io.vdetach.testkit.Sh.run("debugfs", "-R", "htree many", disk.image().toString())).contains("Root node dump");
        compareAll(disk);
    }

    @Test
    void ext4With1kBlocks() throws Exception {
        compareAll(ExtFixture.ext4Blocks1k(dir, tree));
    }

    @Test
    void ext4With64bitAndMetadataCsum() throws Exception {
        compareAll(ExtFixture.ext4Csum64(dir, tree));
    }

    @Test
    void ext4WithInlineData() throws Exception {
        ExtFixture.Disk disk = ExtFixture.ext4InlineData(dir, tree);
        compareAll(disk);
        // The comparison covered inline files (materialised runs) and inline directories.
        try (HostFile f = HostFile.open(disk.image())) {
            ExtFilesystem fs = ExtFilesystem.open(f);
            int inlineFiles = 0;
            int inlineDirs = 0;
            Deque<Node> dirs = new ArrayDeque<>(List.of(fs.node(fs.rootId())));
            while (!dirs.isEmpty()) {
                for (DirEntry e : fs.list(dirs.pop())) {
                    Node n = fs.node(e.id());
                    boolean inline = fs.inode(n.id()).hasFlag(Ext4Inode.INLINE_DATA_FL);
                    if (n.isDirectory()) {
                        dirs.push(n);
                        if (inline) inlineDirs++;
                    } else if (n.type() == io.vdetach.guestfs.EntryType.FILE && inline && n.size() > 0) {
                        assertThat(fs.content(n).map(0, n.size())).first().isInstanceOf(Run.Materialise.class);
                        inlineFiles++;
                    }
                }
            }
            assertThat(inlineFiles).isGreaterThan(20);
            assertThat(inlineDirs).isGreaterThan(5);
        }
    }

    static void compareAll(ExtFixture.Disk disk) throws Exception {
        try (HostFile f = HostFile.open(disk.image())) {
            List<Volume> volumes = VolumeScanner.scan(f);
            for (ExtFixture.Part p : disk.parts()) {
                Volume v = volumes.stream().filter(x -> x.name().equals(p.volume())).findFirst()
                        .orElseThrow(() -> new AssertionError("no volume " + p.volume() + " in " + volumes));
                assertThat(v.start()).isEqualTo(p.offset());
                Probed probed = FilesystemProbe.probe(v.layer());
                assertThat(probed).isInstanceOf(Probed.Readable.class);
                GuestFilesystem fs = ((Probed.Readable) probed).filesystem();
                assertThat(fs.type()).isEqualTo(p.fsType());
                assertThat(fs.warnings()).isEmpty();
                TreeMap<String, EntryFacts> guest = GuestTree.walk(fs, "lost+found");
                try (LoopMount m = LoopMount.readOnly(disk.image(), p.offset(), p.size(), "ext4", "")) {
                    TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), guest);
                }
                assertThat(guest).hasSizeGreaterThan(500);
                assertRunsOnVolume(fs, v);
            }
        }
    }

    /** Every mapped run of every file targets the volume layer, block-aligned. */
    static void assertRunsOnVolume(GuestFilesystem fs, Volume v) throws Exception {
        Deque<Node> dirs = new ArrayDeque<>();
        dirs.add(fs.node(fs.rootId()));
        int mapped = 0;
        while (!dirs.isEmpty()) {
            Node d = dirs.pop();
            for (DirEntry e : fs.list(d)) {
                if (new String(e.name(), StandardCharsets.UTF_8).equals("lost+found")) continue;
                Node n = fs.node(e.id());
                if (n.isDirectory()) dirs.push(n);
                if (n.type() != io.vdetach.guestfs.EntryType.FILE) continue;
                for (Run r : fs.content(n).map(0, n.size())) {
                    if (r instanceof Run.Mapped m) {
                        assertThat(m.target()).isSameAs(v.layer());
                        assertThat(m.offset() % fs.blockSize()).isZero();
                        mapped++;
                    }
                }
            }
        }
        assertThat(mapped).isGreaterThan(10);
    }
}
