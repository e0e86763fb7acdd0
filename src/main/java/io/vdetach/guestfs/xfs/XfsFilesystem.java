package io.vdetach.guestfs.xfs;

import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import java.util.List;

/** Placeholder until the xfs reader lands. */
public final class XfsFilesystem implements GuestFilesystem {
    private XfsFilesystem() {}

    /** Opens the filesystem on {@code volume}; the probe has already seen its magic. */
    public static XfsFilesystem open(Layer volume) {
        throw new UnsupportedImageException("xfs", "this filesystem (reader not written yet)");
    }

    @Override public String type() { return "xfs"; }
    @Override public String label() { return ""; }
    @Override public int blockSize() { return 512; }
    @Override public List<String> warnings() { return List.of(); }
    @Override public long rootId() { return 0; }
    @Override public Node node(long id) { throw new UnsupportedOperationException(); }
    @Override public List<DirEntry> list(Node directory) { return List.of(); }
    @Override public Layer content(Node file) { throw new UnsupportedOperationException(); }
}
