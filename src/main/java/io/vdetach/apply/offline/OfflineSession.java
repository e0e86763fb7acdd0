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
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;
import io.vdetach.guestfs.ext.codec.Feature;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An unmounted ext4 host opened for an offline detach. {@link #open} refuses a device in use,
 * a journal that needs recovery, a filesystem with errors, features the writer does not
 * handle, and an image path that is not a plain file in it. The image is opened in any format
 * vdetach reads, with its chain, from the device itself: every file of the chain is read through
 * the host's extent map of it ({@link HostFsFiles}), so {@link #disk()} composes down to device
 * blocks. Build the guest stack on it, then call {@link #detach}.
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
    private final HostFsFiles files;
    private final HostFsFile top;
    private final DiskImage disk;
    private final BlockCache cache;
    private boolean used;

    /** Where the host filesystem lies on the device: its byte offset, and its length (-1: to the end). */
    private record Span(long offset, long length) {}

    private OfflineSession(Path devicePath, Span span, Ext4SuperBlock sb, FileBlockDevice readDev, HostFile deviceFile,
                           HostFsFiles files, HostFsFile top, DiskImage disk, BlockCache cache) {
        this.devicePath = devicePath;
        this.span = span;
        this.sb = sb;
        this.readDev = readDev;
        this.deviceFile = deviceFile;
        this.files = files;
        this.top = top;
        this.disk = disk;
        this.cache = cache;
    }

    /**
     * Opens {@code device} read-only, checks it, and finds the image at {@code imagePathInFs}: in
     * the ext4 filesystem at its start, or else in the first MBR/GPT partition holding one with
     * that path.
     */
    public static OfflineSession open(Path device, String imagePathInFs) throws IOException {
        return open(device, null, imagePathInFs, OpenOptions.DEFAULT);
    }

    /**
     * As {@link #open(Path, String)}, in partition {@code partition} of a whole disk (its name,
     * p1 … or its 1-based number); null to find it.
     */
    public static OfflineSession open(Path device, String partition, String imagePathInFs) throws IOException {
        return open(device, partition, imagePathInFs, OpenOptions.DEFAULT);
    }

    /** As above, the image opened with {@code options} (parents outside the image's directory, a snapshot). */
    public static OfflineSession open(Path device, String partition, String imagePathInFs, OpenOptions options) throws IOException {
        HostGuard.checkNotInUse(device);
        return openAt(device, locate(device, partition, imagePathInFs, options), imagePathInFs, options);
    }

    private static boolean hasExtMagic(Path device, long offset) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Ext4SuperBlock.SIZE);
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            while (b.hasRemaining()) if (ch.read(b, offset + Ext4SuperBlock.OFFSET + b.position()) < 0) return false;
        }
        return Ext4SuperBlock.parse(b.flip()).magic() == Ext4SuperBlock.MAGIC;
    }

    /** The filesystem to work on: at the device's start, the partition named, or the one holding the image. */
    private static Span locate(Path device, String partition, String imagePath, OpenOptions options) throws IOException {
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
                openAt(device, new Span(v.start(), v.size()), imagePath, options).close();
                return new Span(v.start(), v.size());
            } catch (HostException e) {
                // not this one
            }
        }
        if (partition != null) throw new HostException(device + " has no partition " + partition);
        throw new HostException(device + " holds no ext4 filesystem at its start" + (tried.isEmpty() ? " nor in a partition"
                : ", and none of its ext4 partitions (" + String.join(", ", tried) + ") holds " + imagePath + " as a detachable image"));
    }

    private static OfflineSession openAt(Path device, Span span, String imagePathInFs, OpenOptions options) throws IOException {
        Ext4SuperBlock sb = readSuperblock(device, span);
        checkState(sb, device.toString());
        FileBlockDevice dev = FileBlockDevice.open(device, sb.blockSize(), false, span.offset(), span.length());
        HostFile hf = null;
        DiskImage disk = null;
        try {
            BlockCache cache = BlockCache.withDefaultBudget();
            Ext4Volume fs = Ext4Volume.open(dev, device.toString(), span.offset(), sb, cache);
            HostDirectories.Lookup img = HostDirectories.resolve(fs, imagePathInFs);
            if (img == null) throw new HostException("image " + imagePathInFs + " is not in the ext4 filesystem on " + device);
            Ext4Inode ino = fs.inode(img.ino());
            if (ino.fileType() != Ext4Inode.S_IFREG) throw new HostException(imagePathInFs + " on " + device + " is not a regular file");
            if (ino.linksCount() != 1) throw new HostException(imagePathInFs + " has " + ino.linksCount() + " hard links; an offline detach needs exactly one");
            if (!ino.hasFlag(Ext4Inode.EXTENTS_FL)) throw new HostException(imagePathInFs + " is block-mapped (ext2/3 style); only extent-mapped images can be detached offline");
            hf = HostFile.open(device);
            // every file of the chain is read from the device through its extents: guest stacks built on the image
            // compose down to device offsets, which the detach can donate
            HostFsFiles files = new HostFsFiles(fs, device.getFileName().toString(), hf, span.offset());
            Path topPath = files.pathOf(imagePathInFs);
            files.open(topPath);
            disk = ImageOpener.open(topPath, options, cache, files);
            return new OfflineSession(device, span, sb, dev, hf, files, files.opened(topPath), disk, cache);
        } catch (IOException | RuntimeException e) {
            dev.close();
            if (disk != null) disk.close();
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

    /** The image file's own bytes, read from the device (for a raw image, the guest disk). */
    public Layer image() { return top.file(); }

    /** The guest disk the image holds, its chain resolved inside the host: guest stacks built on it donate their runs. */
    public DiskImage disk() { return disk; }

    /** The device as a host file: runs mapped onto it at image-owned blocks are donated too. */
    public HostFile deviceFile() { return deviceFile; }

    public int blockSize() { return sb.blockSize(); }

    /** Byte offset of the filesystem on the device (a partition's start; 0 for a whole filesystem). */
    public long offset() { return span.offset(); }

    /** The chain's files inside the host: those a detach hands over and removes, and those it leaves. */
    record ChainFiles(List<HostFsFile> donors, List<HostFsFile> kept) {}

    /**
     * The image's own files (descriptor, extents, data file) are handed over; with {@code wholeChain}
     * its backing files too. Files of the chain outside the host are neither.
     */
    ChainFiles chainFiles(boolean wholeChain) {
        Set<Path> own = new LinkedHashSet<>(disk.ownFiles());
        Set<Path> all = new LinkedHashSet<>(own);
        all.addAll(disk.files());
        Map<Long, HostFsFile> donors = new LinkedHashMap<>();
        Map<Long, HostFsFile> kept = new LinkedHashMap<>();
        donors.put(top.ino(), top);
        for (Path p : all) {
            HostFsFile f = files.opened(p);
            if (f == null || donors.containsKey(f.ino())) continue;
            if (own.contains(p) || wholeChain) donors.put(f.ino(), f);
            else kept.put(f.ino(), f);
        }
        for (HostFsFile f : donors.values()) {
            if (f.links() != 1) {
                throw new HostException(f.fsPath() + " has " + f.links() + " hard links; an offline detach hands over files with exactly one"
                        + (own.contains(files.pathOf(f.fsPath())) ? "" : " (leave out --detach-backing to keep it)"));
            }
        }
        kept.keySet().removeAll(donors.keySet());
        return new ChainFiles(List.copyOf(donors.values()), List.copyOf(kept.values()));
    }

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
            disk.close();
        } finally {
            try {
                readDev.close();
            } finally {
                deviceFile.close();
            }
        }
    }
}
