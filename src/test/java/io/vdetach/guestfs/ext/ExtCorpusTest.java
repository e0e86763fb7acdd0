package io.vdetach.guestfs.ext;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.TreeAssert;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** go-ext4's hierarchy_64.ext4 (unpartitioned ext4, 1 KiB blocks): facts asserted in testdata/SOURCES.md §8. */
class ExtCorpusTest {

    @Test
    void hierarchy64FactsFromSources() throws Exception {
        Path img = Corpus.file("go-ext4/hierarchy_64.ext4");
        try (HostFile f = HostFile.open(img)) {
            Volume v = VolumeScanner.scan(f).getFirst();
            GuestFilesystem fs = ((Probed.Readable) FilesystemProbe.probe(v.layer())).filesystem();
            assertThat(fs.type()).isEqualTo("ext4");
            assertThat(fs.blockSize()).isEqualTo(1024);

            Node fortune = lookup(fs, "directory1/subdirectory1/fortune3");
            byte[] data = readAll(fs.content(fortune));
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)))
                    .isEqualTo("11d91b018f54be7e5a04dd1bc35b3d0b");

            Node jungle = lookup(fs, "thejungle.txt");
            assertThat(jungle.id()).isEqualTo(16);
            assertThat(jungle.size()).isEqualTo(849_597);
            List<String> runs = new ArrayList<>();
            for (Run r : fs.content(jungle).map(0, jungle.size())) {
                Run.Mapped m = (Run.Mapped) r;
                assertThat(m.target()).isSameAs(v.layer());
                runs.add(Long.toHexString(m.start()) + "->" + Long.toHexString(m.offset()) + "+" + Long.toHexString(m.length()));
            }
            // The last extent holds 0x4f800 bytes of blocks; the map stops at the file size.
            assertThat(runs).containsExactly("0->e800+4000", "4000->f8400+4000", "8000->f0400+8000",
                    "10000->e0400+10000", "20000->c0400+20000", "40000->8ec00+31800", "71800->fc400+3c00",
                    "75400->7400+3000", "78400->80400+7c00", "80000->12800+" + Long.toHexString(849_597 - 0x80000));
        }
    }

    @Test
    void hierarchy64EqualsTheKernelsView() throws Exception {
        Need.root();
        Path img = Corpus.file("go-ext4/hierarchy_64.ext4");
        try (HostFile f = HostFile.open(img); LoopMount m = LoopMount.readOnly(img, 0, 0, "ext4", "noload")) {
            GuestFilesystem fs = ExtFilesystem.open(f);
            TreeAssert.assertSameTree(HostTree.walk(m.path(), "lost+found"), GuestTree.walk(fs, "lost+found"));
        }
    }

    static Node lookup(GuestFilesystem fs, String path) throws Exception {
        Node n = fs.node(fs.rootId());
        for (String part : path.split("/")) {
            long id = -1;
            for (DirEntry e : fs.list(n)) {
                if (new String(e.name(), StandardCharsets.UTF_8).equals(part)) id = e.id();
            }
            assertThat(id).as(part).isPositive();
            n = fs.node(id);
        }
        return n;
    }

    static byte[] readAll(Layer l) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) l.size());
        l.readFully(0, b);
        return b.array();
    }
}
