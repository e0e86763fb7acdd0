package io.vdetach.guestfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.Layer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The walker takes a directory's entries from its stream a chunk at a time: with a directory of
 * 1,000,000 entries it has pulled no more than one chunk when it visits the first, so a huge (or
 * hostile, endlessly repeating) directory is never held whole. Each chunk is visited in id order.
 */
class TreeWalkerStreamingTest {
    static final int ENTRIES = 1_000_000;

    /** A filesystem whose root holds ENTRIES files, ids in descending order, produced on demand. */
    private static final class Wide implements GuestFilesystem {
        int pulled;
        int pulledAtFirstVisit = -1;

        @Override public String type() { return "test"; }
        @Override public String label() { return ""; }
        @Override public int blockSize() { return 4096; }
        @Override public List<String> warnings() { return List.of(); }
        @Override public long rootId() { return 0; }

        @Override
        public Node node(long id) {
            EntryType t = id == 0 ? EntryType.DIRECTORY : EntryType.FILE;
            return new Node(id, t, 0755, 0, 0, 0, 1, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, null, null, 0, 0, List.of(), List.of());
        }

        @Override
        public List<DirEntry> list(Node directory) {
            throw new AssertionError("the walker streams entries");
        }

        @Override
        public Entries entries(Node directory) {
            return () -> pulled == ENTRIES ? null : new DirEntry(("f" + pulled).getBytes(), ENTRIES - pulled++);
        }

        @Override
        public Layer content(Node file) {
            throw new AssertionError();
        }
    }

    @Test
    void aMillionEntriesArePulledAChunkAtATime() throws Exception {
        Wide fs = new Wide();
        List<Long> firstChunk = new ArrayList<>();
        long[] visited = {0};
        TreeWalker.walk(fs, new TreeWalker.Visitor() {
            @Override public boolean enter(List<byte[]> path, Node dir) { return true; }
            @Override public void leave(List<byte[]> path, Node dir) { }
            @Override public void error(List<byte[]> path, String reason) { throw new AssertionError(reason); }

            @Override
            public void entry(List<byte[]> path, Node node) {
                if (fs.pulledAtFirstVisit < 0) fs.pulledAtFirstVisit = fs.pulled;
                if (firstChunk.size() < TreeWalker.CHUNK) firstChunk.add(node.id());
                visited[0]++;
            }
        });
        assertThat(visited[0]).isEqualTo(ENTRIES);
        assertThat(fs.pulledAtFirstVisit).isEqualTo(TreeWalker.CHUNK);
        assertThat(firstChunk).isSorted().hasSize(TreeWalker.CHUNK).first().isEqualTo((long) ENTRIES - TreeWalker.CHUNK + 1);
    }
}
