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

    private OpenedImage(DiskImage image, BlockCache cache, List<Slot> slots) {
        this.image = image;
        this.cache = cache;
        this.slots = slots;
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
            for (Volume v : VolumeScanner.scan(image)) {
                try {
                    slots.add(new Slot(v, FilesystemProbe.probe(v.layer(), mount, cache), null));
                } catch (VdetachException e) {
                    String what = e instanceof UnsupportedImageException ? "unsupported" : "damaged";
                    slots.add(new Slot(v, new Probed.NotExtracted(what, e.getMessage()), e));
                }
            }
            return new OpenedImage(image, cache, slots);
        } catch (IOException | RuntimeException e) {
            image.close();
            throw e;
        }
    }

    public DiskImage image() { return image; }

    /** The image's block cache, for the filesystems on it. */
    public BlockCache cache() { return cache; }

    public List<Slot> slots() { return slots; }

    /** The slot named {@code name} ("p1", "vg-lv", "disk") or numbered {@code name} (1-based). */
    public Slot slot(String name) {
        for (Slot s : slots) if (s.volume().name().equals(name)) return s;
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
