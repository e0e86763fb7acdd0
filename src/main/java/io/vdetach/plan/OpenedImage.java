package io.vdetach.plan;

import io.vdetach.error.UnsupportedImageException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.BlockCache;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Probed;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import io.vdetach.volume.vss.ShadowCopies;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image opened down to its filesystems: the input of every command. Owns the image's one
 * {@link BlockCache}, which the container chain, the volumes and the filesystems all cache in.
 */
public final class OpenedImage implements AutoCloseable {

    /**
     * One volume and what it holds. {@code problem} is set when the filesystem is recognised
     * but could not be opened (damaged): an error for that volume only.
     */
    public record Slot(Volume volume, Probed probed, VdetachException problem) {
        public GuestFilesystem filesystem() {
            return probed instanceof Probed.Readable r ? r.filesystem() : null;
        }
    }

    private final DiskImage image;
    private final BlockCache cache;
    private final List<Slot> slots;
    private final ShadowSlots shadows;

    private OpenedImage(DiskImage image, BlockCache cache, List<Slot> slots, ShadowSlots shadows) {
        this.image = image;
        this.cache = cache;
        this.slots = slots;
        this.shadows = shadows;
    }

    public static OpenedImage open(Path path, OpenOptions options) throws IOException {
        return open(path, options, MountOptions.DEFAULT);
    }

    public static OpenedImage open(Path path, OpenOptions options, MountOptions mount) throws IOException {
        BlockCache cache = BlockCache.withDefaultBudget();
        return open(ImageOpener.open(path, options, cache), cache, mount);
    }

    private static OpenedImage open(DiskImage image, BlockCache cache, MountOptions mount) throws IOException {
        try {
            List<Slot> slots = new ArrayList<>();
            for (Volume v : VolumeScanner.scan(image)) slots.add(probe(v, mount, cache));
            ShadowSlots shadows = new ShadowSlots(cache);
            return new OpenedImage(image, cache, shadows.expand(slots, mount.shadowCopies(), mount), shadows);
        } catch (IOException | RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /** The slot of volume {@code v}: its filesystem, or why there is none. */
    static Slot probe(Volume v, MountOptions mount, BlockCache cache) throws IOException {
        try {
            return new Slot(v, FilesystemProbe.probe(v.layer(), mount, cache), null);
        } catch (VdetachException e) {
            String what = e instanceof UnsupportedImageException ? "unsupported" : "damaged";
            return new Slot(v, new Probed.NotExtracted(what, e.getMessage()), e);
        }
    }

    public DiskImage image() { return image; }

    /**
     * The VSS shadow copies of a live volume's slot (each read once), whatever {@code --vss} chose;
     * null for a volume without any (not NTFS, no VSS header) and for a store's own slot. Throws
     * the error of a damaged catalog.
     */
    public ShadowCopies shadowCopies(Slot slot) throws IOException {
        if (slot.volume().scheme().equals(ShadowSlots.SCHEME)) return null;
        return shadows.of(slot.volume());
    }

    /** The image's block cache, for the filesystems on it. */
    public BlockCache cache() { return cache; }

    public List<Slot> slots() { return slots; }

    /**
     * The slot named {@code name} ("p1", "vg-lv", "disk", "p1@vss2") or numbered {@code name}
     * (1-based); with {@code --vss N}, a volume's name also names its store's slot, which stands
     * in for it.
     */
    public Slot slot(String name) {
        for (Slot s : slots) if (s.volume().name().equals(name)) return s;
        Slot store = null;
        for (Slot s : slots) {
            if (!s.volume().name().startsWith(name + "@vss")) continue;
            if (store != null) return null; // --vss all: the stores are named in full
            store = s;
        }
        if (store != null) return store;
        try {
            int n = Integer.parseInt(name);
            if (n >= 1 && n <= slots.size()) return slots.get(n - 1);
        } catch (NumberFormatException ignored) {
            // not a number: fall through
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        for (Slot s : slots) {
            GuestFilesystem fs = s.filesystem();
            if (fs != null) fs.close();
        }
        image.close();
        if (System.getenv("VDETACH_DEBUG") != null) System.err.print(cache.stats());
    }
}
