package io.vdetach.apply.offline;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Window;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Benchmark driver for bench/offline-detach.sh (until the CLI wires offline detach): carves the
 * image at PATH on DEV into a guest-like tree (files laid out block-aligned one after another,
 * sizes mostly small, 5% "resident" files that must be materialised), 100 entries per directory,
 * then detaches it to TO and prints the report as JSON.
 *
 * <p>Usage: {@code OfflineBench DEV IMAGE_PATH TO UNDO_FILE [MAX_FILES [MAX_FILE_BYTES]]}
 */
public final class OfflineBench {
    private OfflineBench() {}

    public static void main(String[] args) throws Exception {
        Path dev = Path.of(args[0]);
        String image = args[1];
        String to = args[2];
        Path undo = Path.of(args[3]);
        int maxFiles = args.length > 4 ? Integer.parseInt(args[4]) : Integer.MAX_VALUE;
        long maxSize = args.length > 5 ? Long.parseLong(args[5]) : Long.MAX_VALUE;
        long t0 = System.nanoTime();
        try (OfflineSession s = OfflineSession.open(dev, image)) {
            List<OfflineItem> items = carve(s.image(), maxFiles, maxSize);
            long t1 = System.nanoTime();
            OfflineReport r = s.detach(to, items, OfflineOptions.withUndo(undo));
            System.out.printf("{\"carve_seconds\":%.3f,\"report\":%s}%n", (t1 - t0) / 1e9, r.toJson());
        }
    }

    static List<OfflineItem> carve(Layer image, int maxFiles, long maxSize) throws Exception {
        SplittableRandom r = new SplittableRandom(2017);
        List<OfflineItem> items = new ArrayList<>();
        Instant t = Instant.ofEpochSecond(1700000000, 123456789);
        items.add(new OfflineItem(new byte[0][], dir(1, t), null, null));
        long off = 0;
        long id = 2;
        int n = 0;
        byte[] dirName = null;
        while (n < maxFiles) {
            if (n % 100 == 0) {
                dirName = String.format("d%05d", n / 100).getBytes(StandardCharsets.UTF_8);
                items.add(new OfflineItem(new byte[][] {dirName}, dir(id++, t), null, null));
            }
            int kind = r.nextInt(100);
            long size = kind < 70 ? 1 + r.nextInt(16 << 10) : kind < 95 ? (64 << 10) + r.nextInt(960 << 10) : (1 << 20) + r.nextInt(31 << 20);
            size = Math.min(size, maxSize);
            byte[][] path = {dirName, String.format("f%07d.dat", n).getBytes(StandardCharsets.UTF_8)};
            Node node = new Node(id++, EntryType.FILE, 0644, 1000, 1000, 0, 1, t, t, t, t, null, 0, 0, List.of(), List.of(), -1);
            if (kind < 5 && size < 4096) {
                // a resident file (like NTFS $DATA in the MFT record): bytes only a reader can produce
                Layer gen = new CarvedGuest.GeneratedLayer(size);
                node = withSize(node, size);
                items.add(new OfflineItem(path, node, ExtentMaps.toHostFiles(gen, 0, size), gen));
            } else {
                if (off + size > image.size()) break;
                Window w = new Window(image, off, size, "f" + n);
                node = withSize(node, size);
                items.add(new OfflineItem(path, node, ExtentMaps.toHostFiles(w, 0, size), w));
                off += (size + 4095) & ~4095L;
            }
            n++;
        }
        return items;
    }

    private static Node dir(long id, Instant t) {
        return new Node(id, EntryType.DIRECTORY, 0755, 0, 0, 0, 2, t, t, t, t, null, 0, 0, List.of(), List.of(), -1);
    }

    private static Node withSize(Node n, long size) {
        return new Node(n.id(), n.type(), n.mode(), n.uid(), n.gid(), size, n.nlink(), n.mtime(), n.atime(), n.ctime(), n.btime(),
                n.symlinkTarget(), n.rdevMajor(), n.rdevMinor(), n.xattrs(), n.notes(), n.fileAttributes());
    }
}
