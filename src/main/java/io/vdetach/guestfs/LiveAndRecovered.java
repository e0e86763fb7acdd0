package io.vdetach.guestfs;

import io.vdetach.extent.Layer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A filesystem's live tree with its recovered entries beside it: the root lists the live entries
 * and {@code $Deleted/}, {@code $Orphan/} of a {@link RecoveredTree}; everything else is answered
 * by whichever of the two the node belongs to (recovered ids are negative, a filesystem's are not).
 * What {@code extract --deleted} wrote, as one tree ({@code verify --deleted} walks it).
 */
public final class LiveAndRecovered implements GuestFilesystem {
    private final GuestFilesystem live;
    private final RecoveredTree recovered;

    public LiveAndRecovered(GuestFilesystem live, RecoveredTree recovered) {
        this.live = live;
        this.recovered = recovered;
    }

    private GuestFilesystem owner(long id) {
        return id != live.rootId() && recovered.isRecoveredPart(id) ? recovered : live;
    }

    @Override public String type() { return live.type(); }
    @Override public String label() { return live.label(); }
    @Override public int blockSize() { return live.blockSize(); }
    @Override public TimePrecision timePrecision() { return live.timePrecision(); }
    @Override public List<String> warnings() { return live.warnings(); }
    @Override public long rootId() { return live.rootId(); }
    @Override public Node node(long id) throws IOException { return owner(id).node(id); }

    @Override
    public List<DirEntry> list(Node directory) throws IOException {
        if (directory.id() != live.rootId()) return owner(directory.id()).list(directory);
        List<DirEntry> out = new ArrayList<>(live.list(directory));
        out.addAll(recovered.list(directory));
        return out;
    }

    @Override
    public Entries entries(Node directory) throws IOException {
        if (directory.id() == live.rootId()) return GuestFilesystem.super.entries(directory);
        return owner(directory.id()).entries(directory);
    }

    @Override public String inodeLabel(Node node) throws IOException { return owner(node.id()).inodeLabel(node); }
    @Override public long allocated(Node file, Layer content) throws IOException { return owner(file.id()).allocated(file, content); }
    @Override public Layer content(Node file) throws IOException { return owner(file.id()).content(file); }
    @Override public List<NamedStream> largeStreams(Node file) throws IOException { return owner(file.id()).largeStreams(file); }
    @Override public List<NamedStream> namedStreams(Node file) throws IOException { return owner(file.id()).namedStreams(file); }
}
