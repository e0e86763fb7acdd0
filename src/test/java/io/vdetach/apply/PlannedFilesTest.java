package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.evidence.EntryRecord;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The file records of {@code detach --streaming}: read back front to back, each file comes back
 * with its directory, host name, guest path (for messages), size, extraction and node as given;
 * its host path is found again from where its record starts; files of one host directory whose
 * guest parents differ keep their own guest paths.
 */
class PlannedFilesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Node file(long id, long size) {
        return new Node(id, EntryType.FILE, 0644, 1, 2, size, 1, Instant.ofEpochSecond(id), null, null, null, null, 0, 0,
                List.of(), List.of());
    }

    private record Given(Tally.Volume vf, DirHandle dir, byte[] name, EntryPath display, Node node, long record) {}

    @Test
    void recordsComeBackAsGiven() throws Exception {
        Tally report = new Tally();
        Tally.Volume p1 = report.volume("p1", "ext4"), p2 = report.volume("p2", "ntfs");
        DirHandle root = DirHandle.root(null);
        DirHandle etc = new DirHandle(null, new DirHandle(null, root, b("p1"), false), b("etc"), false);
        DirHandle docs = new DirHandle(null, new DirHandle(null, root, b("p2"), false), b("docs"), false);
        List<byte[]> etcPath = List.of(b("etc"));
        List<Given> given = new ArrayList<>();
        try (PlannedFiles files = new PlannedFiles()) {
            Object[][] plan = {
                {p1, etc, "hosts", List.of(b("etc"), b("hosts"))},
                {p2, docs, "a.txt", List.of(b("docs"), b("a.txt"))},
                {p1, etc, "passwd (1)", List.of(etcPath.getFirst(), b("passwd"))}, // renamed on the host
                {p1, etc, "moved", List.of(b("elsewhere"), b("deep"), b("moved"))}, // same host directory, other guest parent
                {p1, etc, "group", List.of(b("etc"), b("group"))},
            };
            long id = 10;
            for (Object[] f : plan) {
                @SuppressWarnings("unchecked")
                EntryPath display = new EntryPath(((Tally.Volume) f[0]).name(), (List<byte[]>) f[3]);
                Node node = file(id, id * 100);
                long at = files.add((Tally.Volume) f[0], (DirHandle) f[1], b((String) f[2]), display, node, node.size(),
                        new EntryRecord.Extraction(0, id, id + 1));
                given.add(new Given((Tally.Volume) f[0], (DirHandle) f[1], b((String) f[2]), display, node, at));
                id++;
            }
            files.planned();
            assertThat(files.count()).isEqualTo(plan.length);
            for (Given g : given) {
                assertThat(files.hostPath(g.record())).isEqualTo(VolumeExtraction.join(g.dir().hostPath(), g.name()));
            }
            List<PlannedFiles.File> back = new ArrayList<>();
            files.forEach(back::add);
            assertThat(back).hasSize(given.size());
            for (int i = 0; i < back.size(); i++) {
                PlannedFiles.File f = back.get(i);
                Given g = given.get(i);
                assertThat(f.number()).isEqualTo(i);
                assertThat(f.dir().volume()).isSameAs(g.vf());
                assertThat(f.dir().handle()).isSameAs(g.dir());
                assertThat(f.name()).isEqualTo(g.name());
                assertThat(f.hostPath()).isEqualTo(VolumeExtraction.join(g.dir().hostPath(), g.name()));
                assertThat(f.display().toString()).isEqualTo(g.display().toString());
                assertThat(f.size()).isEqualTo(g.node().size());
                assertThat(f.extraction()).isEqualTo(new EntryRecord.Extraction(0, g.node().id(), g.node().id() + 1));
                assertThat(f.node()).usingRecursiveComparison().isEqualTo(g.node());
            }
            assertThat(back.get(0).hostPath()).isEqualTo(b("p1/etc/hosts"));
            assertThat(back.get(3).display().toString()).isEqualTo("p1/elsewhere/deep/moved");
            assertThat(back.get(2).dir()).isSameAs(back.get(0).dir()); // one slot for a directory's files in a row
        }
    }
}
