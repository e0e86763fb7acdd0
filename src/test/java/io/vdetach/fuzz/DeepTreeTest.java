package io.vdetach.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TreeWalker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The recursion invariant of docs/fuzzing.md: a guest tree 100,000 directories deep (as a hostile
 * image can describe in a few megabytes) is walked to {@link TreeWalker#MAX_DEPTH} and reported
 * there as an error of that entry; no StackOverflowError, and the walk ends.
 */
class DeepTreeTest {
    private static final int LEVELS = 100_000;

    @Test
    void aHundredThousandLevelsEndInAReportedErrorNotAStackOverflow() throws Exception {
        List<String> errors = new ArrayList<>();
        int[] deepest = {0};
        TreeWalker.walk(new Chain(), new TreeWalker.Visitor() {
            @Override
            public boolean enter(List<byte[]> path, Node dir) {
                deepest[0] = Math.max(deepest[0], path.size());
                return true;
            }

            @Override public void leave(List<byte[]> path, Node dir) {}

            @Override public void entry(List<byte[]> path, Node node) {}

            @Override public void error(List<byte[]> path, String reason) { errors.add(path.size() + ": " + reason); }
        });
        assertThat(deepest[0]).isEqualTo(TreeWalker.MAX_DEPTH - 1);
        assertThat(errors).singleElement().asString().startsWith(TreeWalker.MAX_DEPTH + ": deeper than");
        // and the fuzz targets' walk (which maps and reads files) ends the same way
        GuestWalk.walk(new Chain(), new LayerWalk(GuestWalk.READ_BUDGET, null));
    }

    /** Directory i holds directory i + 1, down to {@link #LEVELS}. */
    private static final class Chain implements GuestFilesystem {
        @Override public String type() { return "synthetic"; }

        @Override public String label() { return ""; }

        @Override public int blockSize() { return 4096; }

        @Override public List<String> warnings() { return List.of(); }

        @Override public long rootId() { return 1; }

        @Override
        public Node node(long id) {
            return new Node(id, EntryType.DIRECTORY, 0755, 0, 0, 0, 2, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, null,
                    null, 0, 0, List.of(), List.of());
        }

        @Override
        public List<DirEntry> list(Node directory) {
            return directory.id() >= LEVELS ? List.of() : List.of(new DirEntry(new byte[] {'d'}, directory.id() + 1));
        }

        @Override
        public Layer content(Node file) { throw new AssertionError("no files here"); }
    }
}
