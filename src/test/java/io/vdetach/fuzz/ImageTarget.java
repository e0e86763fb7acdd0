package io.vdetach.fuzz;

import io.vdetach.extent.HostFile;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageFormat;
import io.vdetach.image.Snapshots;
import java.util.List;

/**
 * One container format over an in-memory file named in {@link FuzzFiles#DIR}: open it as that
 * format (whatever its magic says), ask every capability, walk the disk with {@link LayerWalk},
 * and do the same for each internal snapshot.
 */
final class ImageTarget {
    private ImageTarget() {}

    /** Largest file an input may stand for: the biggest seed (a VHDX) is 5 MiB. */
    static final int MAX_FILE = 16 << 20;
    /** Guest bytes read per input. */
    private static final long READ_BUDGET = 8L << 20;
    /** Internal snapshots opened per input. */
    private static final int SNAPSHOTS = 4;

    /** @param input a {@link SparseFile} */
    static void sparse(ImageFormat format, String name, byte[] input) throws Exception {
        open(format, name, SparseFile.decode(input, MAX_FILE));
    }

    static void open(ImageFormat format, String name, byte[] file) throws Exception {
        HostFile f = HostFile.inMemory(FuzzFiles.DIR.resolve(name), file);
        Invariant.onlyOurErrors(() -> {
            try (DiskImage d = format.opener().open(f, FuzzFiles.opener())) {
                LayerWalk walk = new LayerWalk(READ_BUDGET, null);
                walk(d, walk);
                Snapshots s = d.snapshots().orElse(null);
                if (s == null) return;
                List<Snapshots.Entry> list = s.list();
                for (int i = 0; i < Math.min(SNAPSHOTS, list.size()); i++) {
                    try (DiskImage snap = s.opener().open(list.get(i).id())) {
                        walk(snap, walk);
                    }
                }
            }
        });
    }

    private static void walk(DiskImage d, LayerWalk walk) throws Exception {
        d.format();
        d.chain();
        d.files();
        d.ownFiles();
        d.warnings();
        d.linkId();
        walk.walk(d);
    }
}
