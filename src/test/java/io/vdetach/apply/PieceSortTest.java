package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The plan of {@code detach --streaming} in scratch files: the external sort hands out exactly
 * what one stable in-memory sort of every piece gives (the order the old planner copied and
 * punched in), however many runs it merges; a node comes back from its scratch record equal
 * field by field.
 */
class PieceSortTest {

    /** Few sources and offsets: many ties, whose order must be the order of adding. */
    private static List<PieceSort.Piece> pieces(int n, long seed) {
        Random r = new Random(seed);
        List<PieceSort.Piece> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new PieceSort.Piece(r.nextInt(3), r.nextInt(500) * 4096L, 1 + r.nextInt(8192),
                    r.nextInt(10) == 0 ? -1 : r.nextLong(1L << 40), i, i * 100L));
        }
        return out;
    }

    private static List<PieceSort.Piece> drain(PieceSort s) throws Exception {
        List<PieceSort.Piece> got = new ArrayList<>();
        PieceSort.Cursor c = s.sorted();
        for (PieceSort.Piece p; (p = c.next()) != null; ) got.add(p);
        return got;
    }

    @Test
    void mergedRunsGiveTheStableSortsOrder() throws Exception {
        for (int chunk : new int[] {1, 7, 1000, 5000, PieceSort.CHUNK}) {
            List<PieceSort.Piece> in = pieces(5000, chunk);
            List<PieceSort.Piece> expected = new ArrayList<>(in);
            expected.sort(PieceSort.IMAGE_ORDER);
            try (PieceSort s = new PieceSort(chunk)) {
                for (PieceSort.Piece p : in) s.add(p);
                assertThat(s.size()).isEqualTo(in.size());
                assertThat(s.runs()).as("runs with chunk " + chunk).isEqualTo(in.size() / chunk);
                assertThat(drain(s)).as("chunk " + chunk).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void nothingAddedIsNothingSorted() throws Exception {
        try (PieceSort s = new PieceSort(4)) {
            assertThat(drain(s)).isEmpty();
        }
    }

    @Test
    void aNodeComesBackAsItWas() throws Exception {
        Node[] nodes = {
            new Node(42, EntryType.FILE, 04755, 1000, 1001, 123456789L, 3, Instant.ofEpochSecond(1_700_000_000L, 123_456_789),
                    Instant.ofEpochSecond(-5, 1), Instant.EPOCH, null, null, 0, 0,
                    List.of(new Xattr("user.a\uD800", new byte[] {1, 2, 3}), new Xattr("security.selinux", new byte[0])),
                    List.of("encrypted", "é"), 0x20),
            new Node(Long.MAX_VALUE, EntryType.FILE, 0, -1, -2, 0, 1, Instant.MAX, null, null, Instant.MIN, new byte[] {'x'}, 8, 1,
                    List.of(), List.of()),
        };
        for (Node n : nodes) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            SpilledNode.write(new DataOutputStream(bytes), n);
            Node back = SpilledNode.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(back).usingRecursiveComparison().isEqualTo(n);
        }
    }
}
