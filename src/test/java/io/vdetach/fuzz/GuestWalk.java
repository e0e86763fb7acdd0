package io.vdetach.fuzz;

import io.vdetach.error.VdetachException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.FilesystemFormat;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.guestfs.TreeWalker;
import java.io.IOException;
import java.util.List;

/**
 * Opens a volume as one filesystem and does what {@code extract} does with it: walk every entry
 * with {@link TreeWalker}, map and read every regular file and every large named stream (within
 * {@link LayerWalk}'s budget). An entry that fails with one of our errors is reported and skipped,
 * as extraction skips it; any other exception, even where the walker would report it, is a finding.
 */
final class GuestWalk {
    private GuestWalk() {}

    /** Bytes of file content read per input. */
    static final long READ_BUDGET = 8L << 20;
    /** Cache budget per input: the production default. */
    private static final long CACHE = BlockCache.DEFAULT_BUDGET;

    static void open(FilesystemFormat format, Layer volume, MountOptions options) throws Exception {
        open(format, volume, options, new LayerWalk(READ_BUDGET, null));
    }

    /** @param files walks every file's content */
    static void open(FilesystemFormat format, Layer volume, MountOptions options, LayerWalk files) throws Exception {
        Probed p = format.open(volume, options, new BlockCache(CACHE));
        if (!(p instanceof Probed.Readable r)) return;
        try (GuestFilesystem fs = r.filesystem()) {
            walk(fs, files);
        }
    }

    static void walk(GuestFilesystem fs, LayerWalk files) throws IOException {
        fs.type();
        fs.label();
        fs.blockSize();
        fs.usedBytes();
        fs.usedEntries();
        fs.warnings();
        TreeWalker.walk(new Checked(fs), new TreeWalker.Visitor() {
            @Override public boolean enter(List<byte[]> path, Node dir) { return true; }

            @Override public void leave(List<byte[]> path, Node dir) {}

            @Override public void error(List<byte[]> path, String reason) {}

            @Override
            public void entry(List<byte[]> path, Node node) throws IOException {
                if (node.type() != EntryType.FILE) return;
                try {
                    Layer content = fs.content(node);
                    if (content.size() != node.size()) {
                        throw new AssertionError("content of " + TreeWalker.display(path) + " is " + content.size()
                                + " bytes, its node says " + node.size());
                    }
                    files.walk(content);
                    for (NamedStream s : fs.largeStreams(node)) files.walk(s.content());
                } catch (VdetachException e) {
                    Invariant.ours(e);
                }
            }
        });
    }

    /** The filesystem with every exception that is not ours turned into a finding before the walker can report it. */
    private record Checked(GuestFilesystem fs) implements GuestFilesystem {
        @Override public String type() { return fs.type(); }

        @Override public String label() { return fs.label(); }

        @Override public int blockSize() { return fs.blockSize(); }

        @Override public List<String> warnings() { return fs.warnings(); }

        @Override public long rootId() { return fs.rootId(); }

        @Override
        public Node node(long id) {
            try {
                return fs.node(id);
            } catch (IOException e) {
                throw new AssertionError("an I/O error from memory: " + e, e);
            }
        }

        @Override
        public List<DirEntry> list(Node directory) {
            try {
                return fs.list(directory);
            } catch (IOException e) {
                throw new AssertionError("an I/O error from memory: " + e, e);
            }
        }

        @Override public Layer content(Node file) throws IOException { return fs.content(file); }
    }
}
