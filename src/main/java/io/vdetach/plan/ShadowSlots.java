package io.vdetach.plan;

import io.vdetach.error.UnsupportedImageException;
import io.vdetach.error.UsageException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Window;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Probed;
import io.vdetach.volume.Volume;
import io.vdetach.volume.vss.ShadowCopies;
import io.vdetach.volume.vss.ShadowStore;
import io.vdetach.volume.vss.StoreSelection;
import io.vdetach.volume.vss.StoreView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The VSS stores of an image's NTFS volumes as slots of their own, named {@code <volume>@vss<N>}:
 * each is probed like any volume, so the NTFS reader runs unchanged on the store's view. Each
 * volume's catalog is read once. A damaged catalog or store is an error of that store's slot only.
 */
final class ShadowSlots {
    /** The scheme of a store's slot. */
    static final String SCHEME = "vss";

    private final BlockCache cache;
    /** Per live volume: its ShadowCopies, the VdetachException its catalog gave, or NO_VSS. */
    private final Map<Volume, Object> catalogs = new IdentityHashMap<>();
    private static final Object NO_VSS = new Object();

    ShadowSlots(BlockCache cache) {
        this.cache = cache;
    }

    /** The shadow copies of {@code live}; null when it has none (not NTFS, no VSS header). Throws a damaged catalog. */
    synchronized ShadowCopies of(Volume live) throws IOException {
        Object c = catalogs.get(live);
        if (c == null) {
            try {
                ShadowCopies read = live.size() == 0 ? null : ShadowCopies.read(live.layer(), live.name(), cache);
                c = read == null ? NO_VSS : read;
            } catch (VdetachException e) {
                c = e;
            }
            catalogs.put(live, c);
        }
        if (c instanceof VdetachException e) throw e;
        return c == NO_VSS ? null : (ShadowCopies) c;
    }

    /** The slots to read for {@code selection}: the live ones, with store slots after (ALL) or instead of them (One). */
    List<OpenedImage.Slot> expand(List<OpenedImage.Slot> live, StoreSelection selection, MountOptions mount) throws IOException {
        if (selection instanceof StoreSelection.None) return live;
        List<OpenedImage.Slot> out = new ArrayList<>();
        boolean found = false;
        for (OpenedImage.Slot s : live) {
            if (selection instanceof StoreSelection.All) out.add(s);
            Volume v = s.volume();
            ShadowCopies copies;
            try {
                copies = of(v);
            } catch (VdetachException e) {
                String suffix = selection instanceof StoreSelection.One one ? "@vss" + one.index() : "@vss";
                out.add(failed(v, v.name() + suffix, e));
                found = true;
                continue;
            }
            if (copies == null) continue;
            for (ShadowStore store : copies.stores()) {
                if (selection instanceof StoreSelection.One one && one.index() != store.index()) continue;
                out.add(slot(v, copies, store, mount));
                found = true;
            }
        }
        if (selection instanceof StoreSelection.One one && !found) {
            throw new UsageException("--vss " + one.index() + ": no volume of the image has shadow copy " + one.index()
                    + " (vdetach ls lists them)");
        }
        return out;
    }

    private OpenedImage.Slot slot(Volume live, ShadowCopies copies, ShadowStore store, MountOptions mount) throws IOException {
        String name = live.name() + "@vss" + store.index();
        StoreView view;
        try {
            view = copies.view(store.index());
        } catch (VdetachException e) {
            return failed(live, name, e);
        }
        Volume v = new Volume(name, SCHEME, live.start(), view.size(), "shadow copy " + store.index() + " of " + live.name(),
                "", view);
        return OpenedImage.probe(v, mount, cache);
    }

    private static OpenedImage.Slot failed(Volume live, String name, VdetachException e) {
        Volume v = new Volume(name, SCHEME, live.start(), 0, "shadow copies of " + live.name(), "",
                new Window(live.layer(), 0, 0, name));
        String what = e instanceof UnsupportedImageException ? "unsupported" : "damaged";
        return new OpenedImage.Slot(v, new Probed.NotExtracted(what, e.getMessage()), e);
    }
}
