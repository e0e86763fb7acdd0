package io.vdetach.apply.offline;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Layer;
import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import io.vdetach.extent.Window;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import io.vdetach.testkit.EntryFacts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A guest tree carved out of the image by hand: every kind of run (aligned slices that must be
 * donated, unaligned and shared ones that must be copied, holes, materialised bytes) and every
 * kind of entry, with the facts the extracted tree must show.
 */
final class CarvedGuest {
    static final int BS = 4096;
    final List<OfflineItem> items = new ArrayList<>();
    final TreeMap<String, EntryFacts> expected = new TreeMap<>();
    /** Guest files whose every block should have been donated. */
    final List<String> donatedFiles = new ArrayList<>();
    private final Layer image;
    private long nextId = 100;

    CarvedGuest(Layer image) { this.image = image; }

    private static byte[][] path(String p) {
        String[] s = p.split("/");
        byte[][] r = new byte[s.length][];
        for (int i = 0; i < s.length; i++) r[i] = s[i].getBytes(StandardCharsets.UTF_8);
        return r;
    }

    private static Instant t(long s, int ns) { return Instant.ofEpochSecond(s, ns); }

    private Node node(long id, EntryType type, int mode, long size, Instant mtime, byte[] target, long maj, long min, List<Xattr> xs) {
        return new Node(id, type, mode, 1000 + id % 7, 2000 + id % 5, size, 1, mtime, t(1600000000, 5), t(1650000000, 7),
                t(1500000000, 9), target, maj, min, xs, List.of(), -1);
    }

    void dir(String p, int mode, Instant mtime) {
        long id = nextId++;
        Node n = node(id, EntryType.DIRECTORY, mode, 0, mtime, null, 0, 0, List.of());
        items.add(new OfflineItem(p.isEmpty() ? new byte[0][] : path(p), n, null, null));
        expected.put(p.isEmpty() ? "." : p, new EntryFacts("dir", 0, "", mode, n.uid(), n.gid(), mtime.getEpochSecond(), mtime.getNano(),
                "", 0, new TreeMap<>(), ""));
    }

    /** A file whose content is {@code content}; returns its node for hard links. */
    Node file(String p, Layer content, int mode, Instant mtime, List<Xattr> xs) throws IOException {
        long id = nextId++;
        Node n = node(id, EntryType.FILE, mode, content.size(), mtime, null, 0, 0, xs);
        List<Run> runs = ExtentMaps.toHostFiles(content, 0, content.size());
        items.add(new OfflineItem(path(p), n, runs, content));
        byte[] all = new byte[(int) content.size()];
        content.readFully(0, ByteBuffer.wrap(all));
        TreeMap<String, String> x = new TreeMap<>();
        for (Xattr a : xs) x.put(a.name(), HexFormat.of().formatHex(a.value()));
        expected.put(p, new EntryFacts("file", all.length, HostFixture.sha256(all), mode, n.uid(), n.gid(), mtime.getEpochSecond(),
                mtime.getNano(), "", 0, x, ""));
        return n;
    }

    void slice(String p, long off, long len) throws IOException {
        file(p, new Window(image, off, len, p), 0644, t(1700000000, 123456789), List.of());
    }

    void hardLink(String p, Node n, String firstPath) {
        OfflineItem first = items.stream().filter(i -> i.node() == n).findFirst().orElseThrow();
        items.add(new OfflineItem(path(p), n, first.runs(), first.content()));
        EntryFacts f = expected.get(firstPath);
        String group = String.join("|", new TreeMap<>(Map.of(firstPath, 1, p, 1)).keySet());
        EntryFacts g = new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(), f.mtimeSeconds(), f.mtimeNanos(),
                f.linkTarget(), f.rdev(), f.xattrs(), group);
        expected.put(firstPath, g);
        expected.put(p, g);
    }

    void symlink(String p, String target) {
        long id = nextId++;
        byte[] tb = target.getBytes(StandardCharsets.UTF_8);
        Instant m = t(1234567890, 42);
        Node n = node(id, EntryType.SYMLINK, 0777, tb.length, m, tb, 0, 0, List.of());
        items.add(new OfflineItem(path(p), n, null, null));
        expected.put(p, new EntryFacts("symlink", tb.length, "", 0777, n.uid(), n.gid(), m.getEpochSecond(), m.getNano(), target, 0,
                new TreeMap<>(), ""));
    }

    void special(String p, EntryType type, long maj, long min) {
        long id = nextId++;
        Instant m = t(1111111111, 0);
        Node n = node(id, type, 0640, 0, m, null, maj, min, List.of());
        items.add(new OfflineItem(path(p), n, null, null));
        long rdev = (min & 0xff) | ((maj & 0xfff) << 8) | ((min & ~0xffL) << 12);
        expected.put(p, new EntryFacts(type == EntryType.FIFO ? "fifo" : type == EntryType.CHAR_DEVICE ? "chr" : "blk", 0, "", 0640,
                n.uid(), n.gid(), m.getEpochSecond(), 0, "", rdev, new TreeMap<>(), ""));
    }

    /** A layer from an explicit run table over the image (holes where the table has none). */
    static final class TableLayer extends MappedLayer {
        private final RunTable table;

        TableLayer(RunTable table) { this.table = table; }

        @Override
        public long size() { return table.size(); }

        @Override
        public List<Run> map(long offset, long length) { return table.slice(offset, length); }

        @Override
        public String describe() { return "table"; }
    }

    /** Bytes that exist nowhere on disk: a generator, mapped as one materialised run. */
    static final class GeneratedLayer extends MappedLayer {
        private final long size;

        GeneratedLayer(long size) { this.size = size; }

        @Override
        public long size() { return size; }

        @Override
        public List<Run> map(long offset, long length) {
            long end = Math.min(size, offset + length);
            return end <= offset ? List.of() : List.of(new Run.Materialise(offset, end - offset, "generated"));
        }

        @Override
        protected void readMaterialised(Run.Materialise run, ByteBuffer dst) {
            long pos = run.start();
            while (dst.hasRemaining()) {
                dst.put((byte) (pos * 131 + (pos >>> 9)));
                pos++;
            }
        }

        @Override
        public String describe() { return "generated"; }
    }

    /** The standard tree over an image of at least 16 MiB; {@code smallFiles} one-block files. */
    static CarvedGuest standard(Layer image, int smallFiles) throws IOException {
        CarvedGuest g = new CarvedGuest(image);
        g.dir("", 0750, t(1700000001, 1));
        g.dir("a", 0755, t(1700000002, 2));
        g.dir("a/b", 0700, t(1700000003, 3));
        g.dir("a/b/c", 0711, t(2208988800L, 999999999)); // 2040: needs the epoch bits
        g.dir("many", 0755, t(1700000004, 4));
        g.slice("a/aligned.bin", 10L * BS, 5L * BS - 123);
        g.donatedFiles.add("a/aligned.bin");
        g.slice("a/shared-with-aligned.bin", 10L * BS, 2L * BS); // same blocks: must be copied
        g.slice("a/unaligned.bin", 20L * BS + 100, 10000);
        g.slice("a/b/c/deep.txt", 24L * BS, 77);
        g.donatedFiles.add("a/b/c/deep.txt");
        g.file("a/empty", new Window(image, 0, 0, "empty"), 0600, t(1700000005, 0), List.of());
        RunTable holey = RunTable.builder(20000)
                .add(new Run.Mapped(0, 8192, image, 30L * BS))
                .add(new Run.Hole(8192, 8192))
                .add(new Run.Mapped(16384, 3616, image, 40L * BS))
                .build();
        g.file("a/holey.bin", new TableLayer(holey), 0644, t(1700000006, 6), List.of());
        g.file("a/materialised.bin", new GeneratedLayer(3 * BS + 17), 0644, t(1700000007, 7), List.of());
        g.file("a/xattr-small", new Window(image, 50L * BS, 10, "x"), 0644, t(1700000008, 8),
                List.of(new Xattr("user.colour", "blue".getBytes()), new Xattr("trusted.t", new byte[] {1, 2, 3})));
        List<Xattr> big = new ArrayList<>();
        for (int i = 0; i < 8; i++) big.add(new Xattr("user.attribute-number-" + i, ("value " + i + " ").repeat(8).getBytes()));
        g.file("a/xattr-block", new Window(image, 51L * BS, 5000, "y"), 0644, t(1700000009, 9), big);
        Node h = g.file("a/link-one", new Window(image, 60L * BS, 3 * BS, "h"), 0640, t(1700000010, 10), List.of());
        g.hardLink("many/link-two", h, "a/link-one");
        g.symlink("a/short-link", "aligned.bin");
        g.symlink("a/long-link", "../" + "x".repeat(120) + "/target");
        g.special("a/fifo", EntryType.FIFO, 0, 0);
        g.special("a/null", EntryType.CHAR_DEVICE, 1, 3);
        g.special("a/bigdev", EntryType.BLOCK_DEVICE, 259, 70000);
        // many small files: one image block each (donated, last block partial), every 10th unaligned (copied)
        for (int i = 0; i < smallFiles; i++) {
            long off = (100L + i) * BS + (i % 10 == 9 ? 7 : 0);
            g.slice("many/small-file-" + i, off, 100 + i % 3000);
        }
        // a file of many discontiguous blocks: an extent tree of depth >= 1
        RunTable.Builder tb = RunTable.builder(700L * BS);
        for (int k = 0; k < 700; k++) tb.add(new Run.Mapped((long) k * BS, BS, image, (1400L + 2 * k) * BS));
        g.file("a/fragmented.bin", new TableLayer(tb.build()), 0644, t(1700000011, 11), List.of());
        g.donatedFiles.add("a/fragmented.bin");
        return g;
    }
}
