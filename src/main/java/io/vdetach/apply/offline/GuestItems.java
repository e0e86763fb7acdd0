package io.vdetach.apply.offline;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.plan.GuestName;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the offline writer's items from the guest disk ({@link OfflineSession#disk()}, any format):
 * volumes, filesystems and every entry, with names made safe and node ids made unique
 * across volumes (hard links are grouped by id).
 */
public final class GuestItems {
    private GuestItems() {}

    /** Entries that could not be read, by guest path, for the report. */
    public record Result(List<OfflineItem> items, List<String> errors) {}

    /**
     * @param volume only this volume's files, straight under the destination; null for all,
     *     each under a directory named after the volume (p1, disk, vg-lv)
     */
    public static Result of(Layer disk, String volume) throws IOException {
        List<OfflineItem> items = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<Volume> volumes = VolumeScanner.scan(disk);
        int index = 0;
        for (Volume v : volumes) {
            index++;
            if (volume != null && !v.name().equals(volume) && !String.valueOf(index).equals(volume)) continue;
            if (!(FilesystemProbe.probe(v.layer()) instanceof Probed.Readable r)) continue;
            GuestFilesystem fs = r.filesystem();
            byte[] prefix = volume == null ? v.name().getBytes(StandardCharsets.UTF_8) : null;
            long idBase = (long) index << 48;
            TreeWalker.walk(fs, new TreeWalker.Visitor() {
                @Override
                public boolean enter(List<byte[]> path, Node dir) {
                    byte[][] p = hostPath(prefix, path, errors, v.name());
                    if (p == null) return false;
                    items.add(new OfflineItem(p, renumber(dir, idBase), null, null));
                    return true;
                }

                @Override
                public void leave(List<byte[]> path, Node dir) { }

                @Override
                public void entry(List<byte[]> path, Node node) throws IOException {
                    byte[][] p = hostPath(prefix, path, errors, v.name());
                    if (p == null) return;
                    if (node.type() == EntryType.FILE) {
                        Layer content = fs.content(node);
                        items.add(new OfflineItem(p, renumber(node, idBase), ExtentMaps.toHostFiles(content, 0, node.size()), content));
                    } else {
                        items.add(new OfflineItem(p, renumber(node, idBase), null, null));
                    }
                }

                @Override
                public void error(List<byte[]> path, String reason) {
                    errors.add(v.name() + "/" + TreeWalker.display(path) + ": " + reason);
                }
            });
        }
        return new Result(items, errors);
    }

    private static Node renumber(Node n, long base) {
        return new Node(base | n.id(), n.type(), n.mode(), n.uid(), n.gid(), n.size(), n.nlink(), n.mtime(), n.atime(),
                n.ctime(), n.btime(), n.symlinkTarget(), n.rdevMajor(), n.rdevMinor(), n.xattrs(), n.notes(),
                n.fileAttributes());
    }

    private static byte[][] hostPath(byte[] prefix, List<byte[]> path, List<String> errors, String volume) {
        List<byte[]> out = new ArrayList<>(path.size() + 1);
        if (prefix != null) out.add(prefix);
        for (byte[] c : path) {
            switch (GuestName.sanitize(c)) {
                case GuestName.Safe s -> out.add(s.name());
                case GuestName.Renamed rn -> out.add(rn.name());
                case GuestName.Refused rf -> {
                    errors.add(volume + "/" + TreeWalker.display(path) + ": " + rf.reason());
                    return null;
                }
            }
        }
        return out.toArray(byte[][]::new);
    }
}
