package io.vdetach.guestfs.exfat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.GuestTree;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** dissect.fat's exfat.bin (made by Windows), with facts asserted in shared/testdata/SOURCES.md. */
class ExfatCorpusTest {

    @Test
    void dissectExfatFromWindows() throws Exception {
        try (HostFile f = HostFile.open(Corpus.file("dissect.fat/exfat.bin"))) {
            assertThat(FilesystemProbe.probe(f)).isInstanceOf(Probed.Readable.class);
            ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget());
            assertThat(fs.label()).isEqualTo("THESIS");
            assertThat(fs.blockSize()).isEqualTo(512);
            Node root = fs.node(fs.rootId());
            assertThat(names(fs, root)).containsExactlyInAnyOrder("System Volume Information", "cat.jpg", "directory", "find_me.txt");
            Node dir = child(fs, root, "directory");
            Node putty = child(fs, dir, "putty.exe");
            assertThat(putty.size()).isEqualTo(454_657);
            assertThat(GuestTree.sha256(fs.content(putty)))
                    .isEqualTo("d857ab82e7b3f456e588fb0e110c461d569c502fccdb0084d1413b432b322c91");
            // 14:52 at +02:00
            assertThat(putty.mtime()).isBetween(Instant.parse("2019-03-21T12:52:00Z"), Instant.parse("2019-03-21T12:52:59.99Z"));
            // first cluster 195, not FAT-chained: one run at the heap start + 193 clusters
            List<Run> runs = fs.content(putty).map(0, putty.size());
            assertThat(runs).hasSize(1);
            assertThat(((Run.Mapped) runs.get(0)).offset()).isEqualTo(fs.heapStart() + 193L * 512);
            assertThat(putty.notes()).isEmpty();
            GuestTree.walk(fs); // everything readable
            // a fresh reader (nothing listed, so entry sets re-read from the volume) gives the same node
            assertThat(ExfatFilesystem.open(f, BlockCache.withDefaultBudget()).node(putty.id())).isEqualTo(putty);
        }
    }

    /** The same Windows-made image through FUSE exfat (which applies the UTC offsets too): the whole tree agrees. */
    @Test
    void dissectExfatAgreesWithFuseMount() throws Exception {
        java.nio.file.Path img = Corpus.file("dissect.fat/exfat.bin");
        io.vdetach.testkit.Need.root();
        io.vdetach.testkit.Need.tools("mount.exfat-fuse", "losetup");
        java.util.TreeMap<String, io.vdetach.testkit.EntryFacts> expected;
        try (var m = io.vdetach.testkit.LoopMount.readOnly(img, 0, 0, "exfat-fuse", "")) {
            expected = io.vdetach.testkit.TreeAssert.ignoring(io.vdetach.testkit.HostTree.walk(m.path()), true, true, false, true);
        }
        try (HostFile f = HostFile.open(img)) {
            var actual = new java.util.TreeMap<String, io.vdetach.testkit.EntryFacts>();
            GuestTree.walk(ExfatFilesystem.open(f, BlockCache.withDefaultBudget())).forEach((p, e) -> {
                var x = e.without(true, true, false, true);
                actual.put(p, new io.vdetach.testkit.EntryFacts(x.type(), x.size(), x.sha256(), x.mode(), x.uid(), x.gid(),
                        x.mtimeSeconds(), 0, x.linkTarget(), x.rdev(), x.xattrs(), x.linkGroup()));
            });
            expected.remove(".");
            actual.remove(".");
            assertThat(actual).hasSize(7);
            io.vdetach.testkit.TreeAssert.assertSameTree(expected, actual);
        }
    }

    static List<String> names(ExfatFilesystem fs, Node dir) throws Exception {
        return fs.list(dir).stream().map(e -> new String(e.name(), StandardCharsets.UTF_8)).toList();
    }

    static Node child(ExfatFilesystem fs, Node dir, String name) throws Exception {
        for (DirEntry e : fs.list(dir)) {
            if (new String(e.name(), StandardCharsets.UTF_8).equals(name)) return fs.node(e.id());
        }
        throw new AssertionError("no " + name);
    }
}
