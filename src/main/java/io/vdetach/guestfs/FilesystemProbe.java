package io.vdetach.guestfs;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.exfat.ExfatFormat;
import io.vdetach.guestfs.ext.ExtFormat;
import io.vdetach.guestfs.fat.FatFormat;
import io.vdetach.guestfs.ntfs.NtfsFormat;
import io.vdetach.guestfs.xfs.XfsFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Tells what a volume holds from its signatures, and opens it when it is readable. */
public final class FilesystemProbe {
    private FilesystemProbe() {}

    /**
     * Bytes read to recognise every known signature: Btrfs keeps its superblock at 64 KiB, ZFS
     * the uberblock ring of its first vdev label in [128 KiB, 256 KiB).
     */
    public static final int PROBE_BYTES = 0x40000;

    /**
     * Every format vdetach recognises, asked in this order; the first to recognise a volume opens it.
     * Exact magic numbers come first, FAT's loose boot-sector check last. A new filesystem is its
     * package (with a {@link FilesystemFormat}) plus its entry here.
     */
    public static final List<FilesystemFormat> FORMATS = List.of(new ExtFormat(), new NtfsFormat(), new ExfatFormat(),
            new XfsFormat(), NamedOnly.BITLOCKER, NamedOnly.LUKS, NamedOnly.SWAP, NamedOnly.BTRFS, NamedOnly.ZFS,
            NamedOnly.APFS, NamedOnly.HFS_PLUS, new FatFormat());

    /** {@link Probed.NotExtracted#what()} of a volume whose first bytes are not zeros and carry no signature vdetach knows. */
    public static final String UNKNOWN = "unknown";

    public static Probed probe(Layer volume) throws IOException {
        return probe(volume, MountOptions.DEFAULT);
    }

    public static Probed probe(Layer volume, MountOptions options) throws IOException {
        return probe(volume, options, BlockCache.withDefaultBudget());
    }

    /** @param cache the opened image's cache, which the filesystem's metadata caches become regions of */
    public static Probed probe(Layer volume, MountOptions options, BlockCache cache) throws IOException {
        // LVs vdetach cannot map (thin, snapshot, missing PV) come with a zero-size layer; their
        // volume type says why
        if (volume.size() == 0) return new Probed.NotExtracted("no data", "the volume maps no bytes (its type says why)");
        ByteBuffer head = volume.readBytes(0, (int) Math.min(volume.size(), PROBE_BYTES));
        for (FilesystemFormat f : FORMATS) {
            if (f.probe(head.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN))) return f.open(volume, options, cache);
        }
        for (int i = 0; i < head.limit(); i++) {
            if (head.get(i) != 0) return new Probed.NotExtracted(UNKNOWN, "no filesystem signature vdetach knows");
        }
        return new Probed.NotExtracted("empty", "all zeros: no filesystem");
    }
}
