package io.vdetach.apply.offline;

import io.vdetach.apply.offline.device.BlockDevice;
import io.vdetach.apply.offline.device.CountingDevice;
import io.vdetach.apply.offline.device.FaultInjectingDevice;
import io.vdetach.apply.offline.device.FileBlockDevice;
import io.vdetach.apply.offline.device.UndoLog;
import io.vdetach.apply.offline.ext4.Ext4Volume;
import io.vdetach.apply.offline.ext4.HostDamageException;
import io.vdetach.error.HostException;
import io.vdetach.error.ImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import io.vdetach.extent.RunTableLayer;
import io.vdetach.guestfs.ext.codec.Ext4Extent;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;
import io.vdetach.guestfs.ext.codec.Feature;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An unmounted ext4 host opened for an offline detach. {@link #open} refuses a device in use,
 * a journal that needs recovery, a filesystem with errors, features the writer does not
 * handle, and an image path that is not a plain file in it. {@link #image()} reads the image
 * from the device; build the guest stack on it, then call {@link #detach}.
 */
public final class OfflineSession implements AutoCloseable {
    /** What the writer handles; every other feature is refused by name. */
    private static final Set<Feature> HANDLED = EnumSet.of(Feature.DIR_PREALLOC, Feature.HAS_JOURNAL, Feature.EXT_ATTR,
            Feature.RESIZE_INODE, Feature.DIR_INDEX, Feature.SPARSE_SUPER2, Feature.STABLE_INODES, Feature.ORPHAN_FILE,
            Feature.FILETYPE, Feature.EXTENTS, Feature.BIT64, Feature.FLEX_BG, Feature.CSUM_SEED, Feature.LARGEDIR,
            Feature.SPARSE_SUPER, Feature.LARGE_FILE, Feature.HUGE_FILE, Feature.GDT_CSUM, Feature.DIR_NLINK,
            Feature.EXTRA_ISIZE, Feature.METADATA_CSUM);

    private final Path devicePath;
    private final Span span;
    private final Ext4SuperBlock sb;
    private final FileBlockDevice readDev;
    private final HostFile deviceFile;
    private final String imagePath;
    private final long imageIno;
    private final Layer image;
    private final BlockCache cache;
    private boolean used;

    /** Where the host filesystem lies on the device: its byte offset, and its length (-1: to the end). */
    private record Span(long offset, long length) {}

    private OfflineSession(Path devicePath, Span span, Ext4SuperBlock sb, FileBlockDevice readDev, HostFile deviceFile,
                           String imagePath, long imageIno, Layer image, BlockCache cache) {
        this.devicePath = devicePath;
        this.span = span;
        this.sb = sb;
        this.readDev = readDev;
        this.deviceFile = deviceFile;
        this.imagePath = imagePath;
        this.imageIno = imageIno;
        this.image = image;
        this.cache = cache;
    }

    /**
     * Opens {@code device} read-only, checks it, and finds the image at {@code imagePathInFs}: in
     * the ext4 filesystem at its start, or else in the first MBR/GPT partition holding one with
     * that path.
     */
    public static OfflineSession open(Path device, String imagePathInFs) throws IOException {
        return open(device, null, imagePathInFs);
    }

    /**
     * As {@link #open(Path, String)}, in partition {@code partition} of a whole disk (its name,
     * p1 … or its 1-based number); null to find it.
     */
    public static OfflineSession open(Path device, String partition, String imagePathInFs) throws IOException {
        HostGuard.checkNotInUse(device);
        return openAt(device, locate(device, partition, imagePathInFs), imagePathInFs);
    }

    private static boolean hasExtMagic(Path device, long offset) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Ext4SuperBlock.SIZE);
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            while (b.hasRemaining()) if (ch.read(b, offset + Ext4SuperBlock.OFFSET + b.position()) < 0) return false;
        }
        return Ext4SuperBlock.parse(b.flip()).magic() == Ext4SuperBlock.MAGIC;
    }

    /** The filesystem to work on: at the device's start, the partition named, or the one holding the image. */
    private static Span locate(Path device, String partition, String imagePath) throws IOException {
        if (partition == null && hasExtMagic(device, 0)) return new Span(0, -1);
        List<Volume> volumes;
        try (HostFile disk = HostFile.open(device)) {
            volumes = VolumeScanner.scan(disk);
        }
        int index = 0;
        List<String> tried = new ArrayList<>();
        for (Volume v : volumes) {
            index++;
            // LVM volumes may be scattered over the disk: only plain partitions are one byte range
            if (v.scheme().equals("lvm")) continue;
            if (partition != null) {
                if (!v.name().equals(partition) && !String.valueOf(index).equals(partition)) continue;
                if (!hasExtMagic(device, v.start())) throw new HostException("partition " + partition + " of " + device + " holds no ext4 filesystem");
                return new Span(v.start(), v.size());
            }
            if (!hasExtMagic(device, v.start())) continue;
            tried.add(v.name());
            try {
                openAt(device, new Span(v.start(), v.size()), imagePath).close();
                return new Span(v.start(), v.size());
            } catch (HostException e) {
                // not this one
            }
        }
        if (partition != null) throw new HostException(device + " has no partition " + partition);
        throw new HostException(device + " holds no ext4 filesystem at its start" + (tried.isEmpty() ? " nor in a partition"
                : ", and none of its ext4 partitions (" + String.join(", ", tried) + ") holds " + imagePath + " as a detachable image"));
    }

    private static OfflineSession openAt(Path device, Span span, String imagePathInFs) throws IOException {
        Ext4SuperBlock sb = readSuperblock(device, span);
        checkState(sb, device.toString());
        FileBlockDevice dev = FileBlockDevice.open(device, sb.blockSize(), false, span.offset(), span.length());
        HostFile hf = null;
        try {
            BlockCache cache = BlockCache.withDefaultBudget();
            Ext4Volume fs = Ext4Volume.open(dev, device.toString(), span.offset(), sb, cache);
            HostDirectories.Lookup img = HostDirectories.resolve(fs, imagePathInFs);
            if (img == null) throw new HostException("image " + imagePathInFs + " is not in the ext4 filesystem on " + device);
            Ext4Inode ino = fs.inode(img.ino());
            if (ino.fileType() != Ext4Inode.S_IFREG) throw new HostException(imagePathInFs + " on " + device + " is not a regular file");
            if (ino.linksCount() != 1) throw new HostException(imagePathInFs + " has " + ino.linksCount() + " hard links; an offline detach needs exactly one");
            if (!ino.hasFlag(Ext4Inode.EXTENTS_FL)) throw new HostException(imagePathInFs + " is block-mapped (ext2/3 style); only extent-mapped images can be detached offline");
            List<Ext4Extent> ex = fs.extents(ino).extents();
            for (Ext4Extent e : ex) {
                // the image's blocks must be ordinary allocated data: a damaged host could point it at its own tables
                if (fs.overlapsMetadata(e.physical(), e.length()) || !fs.allUsed(e.physical(), e.length())) {
                    throw new HostDamageException(device.toString(), "extent tree of inode " + img.ino(), fs.deviceOffset(ino.offset()),
                            "the image's extent at block " + e.physical() + " overlaps filesystem metadata or free space");
                }
            }
            hf = HostFile.open(device);
            // the image's bytes, read from the device through its extents: guest stacks built on it compose down to
            // device offsets, which the detach can donate
            RunTable.Builder table = RunTable.builder(ino.size());
            long bs = sb.blockSize();
            for (Ext4Extent e : ex) {
                if (!e.unwritten()) table.add(new Run.Mapped(e.logical() * bs, e.length() * bs, hf, span.offset() + e.physical() * bs));
            }
            Layer image = new RunTableLayer(table.build(), imagePathInFs);
            return new OfflineSession(device, span, sb, dev, hf, imagePathInFs, img.ino(), image, cache);
        } catch (IOException | RuntimeException e) {
            dev.close();
            if (hf != null) hf.close();
            throw e;
        }
    }

    /** The host's superblock, validated against the space the filesystem has on the device. */
    private static Ext4SuperBlock readSuperblock(Path device, Span span) throws IOException {
        long size = FileBlockDevice.sizeOf(device) - span.offset();
        if (span.length() >= 0) size = Math.min(size, span.length());
        ByteBuffer b = ByteBuffer.allocate(Ext4SuperBlock.SIZE);
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, span.offset() + Ext4SuperBlock.OFFSET + b.position()) < 0) {
                    throw new HostException(device + " is too small to hold an ext4 filesystem");
                }
            }
        }
        try {
            return Ext4SuperBlock.parse(b.flip()).validate(size);
        } catch (ImageException e) {
            throw new HostDamageException(device.toString(), span.offset(), e);
        }
    }

    private static void checkState(Ext4SuperBlock sb, String dev) {
        if (sb.has(Feature.RECOVER)) throw new HostException(dev + ": the ext4 journal needs recovery; mount and unmount it, or run e2fsck, first");
        if ((sb.state() & Ext4SuperBlock.STATE_ERRORS) != 0) throw new HostException(dev + ": the ext4 filesystem has errors recorded; run e2fsck first");
        if ((sb.state() & Ext4SuperBlock.STATE_CLEAN) == 0) throw new HostException(dev + ": the ext4 filesystem was not cleanly unmounted; run e2fsck first");
        if (!sb.checksumValid()) throw new HostException(dev + ": ext4 superblock checksum mismatch; run e2fsck first");
        if (sb.lastOrphan() != 0 || sb.has(Feature.ORPHAN_PRESENT)) {
            throw new HostException(dev + ": the ext4 filesystem has orphan inodes pending; mount it once or run e2fsck first");
        }
        List<String> bad = new ArrayList<>();
        for (Feature.Field f : Feature.Field.values()) {
            int bits = switch (f) {
                case COMPAT -> sb.featureCompat();
                case INCOMPAT -> sb.featureIncompat();
                case RO_COMPAT -> sb.featureRoCompat();
            };
            bad.addAll(Feature.outside(f, bits, HANDLED));
        }
        if (!bad.isEmpty()) {
            throw new HostException(dev + ": ext4 feature(s) " + String.join(", ", bad) + " not handled by the offline writer (it handles "
                    + String.join(", ", HANDLED.stream().map(Feature::label).toList()) + ")");
        }
        if (!sb.has(Feature.EXTENTS)) throw new HostException(dev + ": the host has no extent feature (ext2/ext3); offline detach needs ext4 extents");
        if (sb.revLevel() < 1) throw new HostException(dev + ": revision 0 ext2 filesystems are not handled");
        if (sb.has(Feature.METADATA_CSUM) && sb.checksumType() != Ext4SuperBlock.CHECKSUM_CRC32C) {
            throw new HostException(dev + ": unknown metadata checksum type " + sb.checksumType());
        }
    }

    /** The image file's bytes, read from the device; guest stacks built on it donate their runs. */
    public Layer image() { return image; }

    /** The device as a host file: runs mapped onto it at image-owned blocks are donated too. */
    public HostFile deviceFile() { return deviceFile; }

    public int blockSize() { return sb.blockSize(); }

    /** Byte offset of the filesystem on the device (a partition's start; 0 for a whole filesystem). */
    public long offset() { return span.offset(); }

    long imageIno() { return imageIno; }

    String imagePath() { return imagePath; }

    /**
     * Creates {@code items} under {@code toPathInFs} (which must not exist; its parent must), gives
     * them the image's blocks, and removes the image. Writes go through the undo log; the device
     * is re-checked for users first.
     */
    public OfflineReport detach(String toPathInFs, List<OfflineItem> items, OfflineOptions opt) throws IOException {
        if (used) throw new IllegalStateException("an offline session detaches once");
        used = true;
        if (!opt.dryRun() && opt.undoFile() == null) throw new HostException("an offline detach needs an undo file (or --dry-run)");
        long t0 = System.nanoTime();
        HostGuard.checkNotInUse(devicePath);
        Ext4SuperBlock fresh = readSuperblock(devicePath, span);
        if (!Arrays.equals(fresh.raw(), sb.raw())) throw new HostException(devicePath + " changed since it was opened");
        BlockDevice dev = FileBlockDevice.open(devicePath, sb.blockSize(), !opt.dryRun(), span.offset(), span.length());
        try {
            if (!opt.dryRun()) dev = UndoLog.create(dev, opt.undoFile(), sb.uuid(), span.offset());
            if (opt.faultAfterWrites() >= 0) dev = new FaultInjectingDevice(dev, opt.faultAfterWrites());
            CountingDevice counter = new CountingDevice(dev);
            Ext4Volume fs = Ext4Volume.open(counter, devicePath.toString(), span.offset(), fresh, cache);
            OfflineReport r = new DetachWriter(fs, counter, this, opt).run(toPathInFs, items);
            return r.withSeconds((System.nanoTime() - t0) / 1e9);
        } finally {
            dev.close();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            readDev.close();
        } finally {
            deviceFile.close();
        }
    }
}
