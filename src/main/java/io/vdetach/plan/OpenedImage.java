package io.vdetach.plan;

import io.vdetach.error.ImageException;
import io.vdetach.error.LockedVolumeException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.CachedLayer;
import io.vdetach.guestfs.FilesystemProbe;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Probed;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import io.vdetach.volume.bitlocker.BitLockerInfo;
import io.vdetach.volume.bitlocker.BitLockerVolume;
import io.vdetach.volume.vss.ShadowCopies;
import java.io.IOException;
import java.nio.ByteBuffer;
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
     * but could not be opened (damaged): an error for that volume only. {@code bitlocker} is set
     * for a BitLocker volume: locked ({@code probed} says so), or unlocked, and then {@code volume}'s
     * layer is the decrypted volume.
     */
    public record Slot(Volume volume, Probed probed, VdetachException problem, BitLockerInfo bitlocker) {
        public Slot(Volume volume, Probed probed, VdetachException problem) {
            this(volume, probed, problem, null);
        }


        public GuestFilesystem filesystem() {
            return probed instanceof Probed.Readable r ? r.filesystem() : null;
        }
    }

    /**
     * The {@link ImageException#structure()} of the error an image in which nothing at all is
     * recognised gives: not an image vdetach reads (the NIO provider then lets other providers try).
     */
    public static final String NOTHING_RECOGNISED = "image contents";

    /** The unit a decrypted volume is cached in. */
    private static final int BLOCK = 4096;

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
            for (Volume v : volumes(image)) slots.add(probe(v, mount, cache));
            refuseUnrecognised(image, slots);
            ShadowSlots shadows = new ShadowSlots(cache);
            return new OpenedImage(image, cache, shadows.expand(slots, mount.shadowCopies(), mount), shadows);
        } catch (IOException | RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /**
     * The image's volumes; those of a multi-disk image (an OVA appliance) are named
     * "<disk>/<volume>", so each disk's volumes are extracted to DEST/<disk>/<volume>/….
     */
    private static List<Volume> volumes(DiskImage image) throws IOException {
        if (image.disks().isEmpty()) return VolumeScanner.scan(image);
        List<Volume> out = new ArrayList<>();
        for (DiskImage.NamedDisk d : image.disks()) {
            for (Volume v : VolumeScanner.scan(d.disk())) {
                out.add(new Volume(d.name() + "/" + v.name(), v.scheme(), v.start(), v.size(), v.type(), v.label(), v.layer()));
            }
        }
        return out;
    }

    /**
     * An image in which nothing at all is recognised (no partition table, no filesystem or other
     * content vdetach names) and which does not start with zeros is not an empty disk: an image
     * format vdetach does not read, an encrypted or damaged disk. Listing it as empty and
     * "extracting" nothing would look like success.
     */
    private static void refuseUnrecognised(DiskImage image, List<Slot> slots) throws IOException {
        if (slots.size() != 1) return;
        Slot s = slots.getFirst();
        if (!s.volume().scheme().equals("none") || s.problem() != null
                || !(s.probed() instanceof Probed.NotExtracted n) || !n.what().equals(FilesystemProbe.UNKNOWN)) {
            return;
        }
        ByteBuffer head = image.readBytes(0, (int) Math.min(16, image.size()));
        StringBuilder hex = new StringBuilder(), text = new StringBuilder();
        for (int i = 0; i < head.limit(); i++) {
            int b = head.get(i) & 0xff;
            hex.append(i == 0 ? "" : " ").append(String.format("%02x", b));
            text.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
        }
        throw UnsupportedImageException.because(image.format(), NOTHING_RECOGNISED, "nothing in the image is recognised: no partition table and no"
                + " filesystem signature vdetach knows in its first " + FilesystemProbe.PROBE_BYTES / 1024 + " KiB, which are not"
                + " all zeros (it starts with " + hex + " \"" + text + "\"): an image format vdetach does not read (an E01"
                + " evidence file, a compressed image …), an encrypted disk, or damage");
    }

    /**
     * Probes a volume; a BitLocker volume is first unlocked (its clear key, or the secrets) and
     * its decrypted layer probed. A secret that no protector accepts stops the command (exit 3,
     * nothing written); a volume without a usable key is listed as locked and skipped.
     */
    static Slot probe(Volume v, MountOptions mount, BlockCache cache) throws IOException {
        BitLockerInfo bitlocker = null;
        try {
            BitLockerVolume bl = BitLockerVolume.detect(v.layer());
            Volume readable = v;
            if (bl != null) {
                bitlocker = bl.info();
                BitLockerVolume.Unlocked u = bl.unlock(mount.secrets());
                if (u == null) {
                    return new Slot(v, new Probed.NotExtracted("bitlocker", bitlocker.summary()
                            + "; locked (give --password, --password-file, --recovery-password or --key-file)"), null, bitlocker);
                }
                bitlocker = u.info();
                // decrypted metadata (MFT, directories) is read again and again: cache it decrypted
                readable = new Volume(v.name(), v.scheme(), v.start(), v.size(), v.type(), v.label(),
                        new CachedLayer(u.layer(), BLOCK, cache));
            }
            return new Slot(readable, FilesystemProbe.probe(readable.layer(), mount, cache), null, bitlocker);
        } catch (LockedVolumeException e) {
            throw e;
        } catch (VdetachException e) {
            String what = e instanceof UnsupportedImageException ? "unsupported" : "damaged";
            if (bitlocker != null && bitlocker.locked()) {
                // BitLocker that could not be unlocked: still say what it is
                return new Slot(v, new Probed.NotExtracted("bitlocker", bitlocker.summary() + "; " + e.getMessage()), e, bitlocker);
            }
            return new Slot(v, new Probed.NotExtracted(what, e.getMessage()), e, bitlocker);
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
