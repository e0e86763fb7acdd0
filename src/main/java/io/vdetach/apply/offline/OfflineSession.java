package io.vdetach.apply.offline;

import io.vdetach.apply.offline.device.BlockDevice;
import io.vdetach.apply.offline.device.CountingDevice;
import io.vdetach.apply.offline.device.FaultInjectingDevice;
import io.vdetach.apply.offline.device.FileBlockDevice;
import io.vdetach.apply.offline.device.UndoLog;
import io.vdetach.apply.offline.ext4.DirBlock;
import io.vdetach.apply.offline.ext4.Ext4Inode;
import io.vdetach.apply.offline.ext4.Ext4Superblock;
import io.vdetach.apply.offline.ext4.Ext4Volume;
import io.vdetach.apply.offline.ext4.Extent;
import io.vdetach.apply.offline.ext4.ExtentTree;
import io.vdetach.error.HostException;
import io.vdetach.extent.HostFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An unmounted ext4 host opened for an offline detach. {@link #open} refuses a device in use,
 * a journal that needs recovery, a filesystem with errors, features the writer does not
 * handle, and an image path that is not a plain file in it. {@link #image()} reads the image
 * from the device; build the guest stack on it, then call {@link #detach}.
 */
public final class OfflineSession implements AutoCloseable {
    static final int ROOT_INO = 2;

    // what the writer handles; everything else is refused by name
    private static final int COMPAT_OK = 0x1 /* dir_prealloc */ | Ext4Superblock.COMPAT_HAS_JOURNAL | Ext4Superblock.COMPAT_EXT_ATTR
            | Ext4Superblock.COMPAT_RESIZE_INODE | Ext4Superblock.COMPAT_DIR_INDEX | Ext4Superblock.COMPAT_SPARSE_SUPER2
            | 0x800 /* stable_inodes */ | Ext4Superblock.COMPAT_ORPHAN_FILE;
    private static final int INCOMPAT_OK = Ext4Superblock.INCOMPAT_FILETYPE | Ext4Superblock.INCOMPAT_EXTENTS
            | Ext4Superblock.INCOMPAT_64BIT | Ext4Superblock.INCOMPAT_FLEX_BG | Ext4Superblock.INCOMPAT_CSUM_SEED
            | Ext4Superblock.INCOMPAT_LARGEDIR;
    private static final int RO_OK = Ext4Superblock.RO_SPARSE_SUPER | Ext4Superblock.RO_LARGE_FILE | Ext4Superblock.RO_HUGE_FILE
            | Ext4Superblock.RO_GDT_CSUM | Ext4Superblock.RO_DIR_NLINK | Ext4Superblock.RO_EXTRA_ISIZE
            | Ext4Superblock.RO_METADATA_CSUM;
    private static final Map<Integer, String> COMPAT_NAMES = names("dir_prealloc imagic_inodes has_journal ext_attr resize_inode dir_index lazy_bg exclude_inode exclude_bitmap sparse_super2 fast_commit stable_inodes orphan_file");
    private static final Map<Integer, String> INCOMPAT_NAMES = names("compression filetype needs_recovery journal_dev meta_bg - extent 64bit mmp flex_bg ea_inode - dirdata metadata_csum_seed large_dir inline_data encrypt casefold");
    private static final Map<Integer, String> RO_NAMES = names("sparse_super large_file btree_dir huge_file uninit_bg dir_nlink extra_isize has_snapshot quota bigalloc metadata_csum replica read-only project shared_blocks verity orphan_present");

    private final Path devicePath;
    private final long offset;
    private final long length;
    private final Ext4Superblock sb;
    private final FileBlockDevice readDev;
    private final Ext4Volume readFs;
    private final HostFile deviceFile;
    private final String imagePath;
    private final long imageIno;
    private final ImageFileLayer image;
    private boolean used;

    private OfflineSession(Path devicePath, long offset, long length, Ext4Superblock sb, FileBlockDevice readDev, Ext4Volume readFs,
                           HostFile deviceFile, String imagePath, long imageIno, ImageFileLayer image) {
        this.devicePath = devicePath;
        this.offset = offset;
        this.length = length;
        this.sb = sb;
        this.readDev = readDev;
        this.readFs = readFs;
        this.deviceFile = deviceFile;
        this.imagePath = imagePath;
        this.imageIno = imageIno;
        this.image = image;
    }

    private static Map<Integer, String> names(String s) {
        Map<Integer, String> m = new LinkedHashMap<>();
        String[] n = s.split(" ");
        for (int i = 0; i < n.length; i++) if (!n[i].equals("-")) m.put(1 << i, n[i]);
        return m;
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
        long[] where = locate(device, partition, imagePathInFs);
        return open(device, where[0], where[1], imagePathInFs);
    }

    private static boolean hasExtMagic(Path device, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(2);
            return ch.read(b, offset + Ext4Superblock.OFFSET + 0x38) == 2 && (b.get(0) & 0xFF) == 0x53 && (b.get(1) & 0xFF) == 0xEF;
        }
    }

    /** {byte offset, byte length (-1: to the end)} of the filesystem to work on. */
    private static long[] locate(Path device, String partition, String imagePath) throws IOException {
        if (partition == null && hasExtMagic(device, 0)) return new long[] {0, -1};
        List<io.vdetach.volume.Volume> volumes;
        try (HostFile disk = HostFile.open(device)) {
            volumes = io.vdetach.volume.VolumeScanner.scan(disk);
        }
        int index = 0;
        List<String> tried = new ArrayList<>();
        for (io.vdetach.volume.Volume v : volumes) {
            index++;
            // LVM volumes may be scattered over the disk: only plain partitions are one byte range
            if (v.scheme().equals("lvm")) continue;
            if (partition != null) {
                if (!v.name().equals(partition) && !String.valueOf(index).equals(partition)) continue;
                if (!hasExtMagic(device, v.start())) throw new HostException("partition " + partition + " of " + device + " holds no ext4 filesystem");
                return new long[] {v.start(), v.size()};
            }
            if (!hasExtMagic(device, v.start())) continue;
            tried.add(v.name());
            try {
                open(device, v.start(), v.size(), imagePath).close();
                return new long[] {v.start(), v.size()};
            } catch (HostException e) {
                // not this one
            }
        }
        if (partition != null) throw new HostException(device + " has no partition " + partition);
        throw new HostException(device + " holds no ext4 filesystem at its start" + (tried.isEmpty() ? " nor in a partition"
                : ", and none of its ext4 partitions (" + String.join(", ", tried) + ") holds " + imagePath + " as a detachable image"));
    }

    private static OfflineSession open(Path device, long offset, long length, String imagePathInFs) throws IOException {
        Ext4Superblock sb = readSuperblock(device, offset);
        checkState(sb, device.toString());
        FileBlockDevice dev = FileBlockDevice.open(device, sb.blockSize(), false, offset, length);
        HostFile hf = null;
        try {
            Ext4Volume fs = Ext4Volume.open(dev, device.toString(), sb);
            Lookup img = resolve(fs, imagePathInFs);
            if (img == null) throw new HostException("image " + imagePathInFs + " is not in the ext4 filesystem on " + device);
            Ext4Inode ino = fs.inode(img.ino);
            if ((ino.mode() & Ext4Inode.S_IFMT) != Ext4Inode.S_IFREG) {
                throw new HostException(imagePathInFs + " on " + device + " is not a regular file");
            }
            if (ino.linksCount() != 1) throw new HostException(imagePathInFs + " has " + ino.linksCount() + " hard links; an offline detach needs exactly one");
            if ((ino.flags() & Ext4Inode.FL_EXTENTS) == 0) throw new HostException(imagePathInFs + " is block-mapped (ext2/3 style); only extent-mapped images can be detached offline");
            List<Extent> ex = ExtentTree.read(fs, ino).extents();
            for (Extent e : ex) {
                // the image's blocks must be ordinary allocated data: a damaged host could point it at its own tables
                if (fs.overlapsMetadata(e.physical(), e.length()) || !fs.allUsed(e.physical(), e.length())) {
                    throw new HostException(device + ": extent of " + imagePathInFs + " at block " + e.physical()
                            + " overlaps filesystem metadata or free space; run e2fsck on the host first");
                }
            }
            hf = HostFile.open(device);
            ImageFileLayer layer = new ImageFileLayer(hf, offset, ex, ino.size(), sb.blockSize(), imagePathInFs);
            return new OfflineSession(device, offset, length, sb, dev, fs, hf, imagePathInFs, img.ino, layer);
        } catch (IOException | RuntimeException e) {
            dev.close();
            if (hf != null) hf.close();
            throw e;
        }
    }

    static Ext4Superblock readSuperblock(Path device, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(Ext4Superblock.SIZE);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + Ext4Superblock.OFFSET + b.position()) < 0) throw new HostException(device + " is too small to hold an ext4 filesystem");
            }
            return Ext4Superblock.parse(b.array(), device.toString());
        }
    }

    private static void checkState(Ext4Superblock sb, String dev) {
        if ((sb.incompat() & Ext4Superblock.INCOMPAT_RECOVER) != 0) {
            throw new HostException(dev + ": the ext4 journal needs recovery; mount and unmount it, or run e2fsck, first");
        }
        if ((sb.state() & 2) != 0) throw new HostException(dev + ": the ext4 filesystem has errors recorded; run e2fsck first");
        if ((sb.state() & 1) == 0) throw new HostException(dev + ": the ext4 filesystem was not cleanly unmounted; run e2fsck first");
        if (!sb.checksumValid()) throw new HostException(dev + ": ext4 superblock checksum mismatch; run e2fsck first");
        if (sb.lastOrphan() != 0 || (sb.roCompat() & Ext4Superblock.RO_ORPHAN_PRESENT) != 0) {
            throw new HostException(dev + ": the ext4 filesystem has orphan inodes pending; mount it once or run e2fsck first");
        }
        List<String> bad = new ArrayList<>();
        unknown(sb.compat() & ~COMPAT_OK, COMPAT_NAMES, bad);
        unknown(sb.incompat() & ~INCOMPAT_OK, INCOMPAT_NAMES, bad);
        unknown(sb.roCompat() & ~RO_OK, RO_NAMES, bad);
        if (!bad.isEmpty()) {
            throw new HostException(dev + ": ext4 feature(s) " + String.join(", ", bad) + " not handled by the offline writer"
                    + " (it handles has_journal, ext_attr, resize_inode, dir_index, sparse_super2, orphan_file, filetype, extent,"
                    + " 64bit, flex_bg, metadata_csum_seed, large_dir, sparse_super, large_file, huge_file, uninit_bg, dir_nlink,"
                    + " extra_isize, metadata_csum)");
        }
        if ((sb.incompat() & Ext4Superblock.INCOMPAT_EXTENTS) == 0) throw new HostException(dev + ": the host has no extent feature (ext2/ext3); offline detach needs ext4 extents");
        if (sb.revLevel() < 1) throw new HostException(dev + ": revision 0 ext2 filesystems are not handled");
        if (sb.metadataCsum() && sb.raw()[0x175] != 1) throw new HostException(dev + ": unknown metadata checksum type " + sb.raw()[0x175]);
    }

    private static void unknown(int bits, Map<Integer, String> names, List<String> out) {
        for (int i = 0; i < 32; i++) {
            int bit = 1 << i;
            if ((bits & bit) != 0) out.add(names.getOrDefault(bit, String.format("0x%x", bit)));
        }
    }

    /** A name found in a directory: its inode, and where its entry is. */
    record Lookup(long ino, long dirIno, int type) {}

    /** Resolves an absolute or root-relative path; null when a component is missing. */
    static Lookup resolve(Ext4Volume fs, String path) throws IOException {
        long cur = ROOT_INO;
        long parent = ROOT_INO;
        int type = DirBlock.FT_DIR;
        String[] parts = path.split("/");
        int depth = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) throw new HostException("path " + path + " must not contain ..");
            if (type != DirBlock.FT_DIR) return null;
            if (++depth > 4096) throw new HostException("path " + path + " is too deep");
            long found = lookup(fs, cur, p.getBytes(StandardCharsets.UTF_8));
            if (found == 0) return null;
            Ext4Inode in = fs.inode(found);
            type = DirBlock.typeOf(in.mode());
            if (type == DirBlock.FT_SYMLINK) throw new HostException("path " + path + " goes through a symlink (" + p + "); give the real path");
            parent = cur;
            cur = found;
        }
        return new Lookup(cur, parent, type);
    }

    /** Looks {@code name} up in directory {@code dirIno} by reading every block (htree blocks read as linear). */
    static long lookup(Ext4Volume fs, long dirIno, byte[] name) throws IOException {
        for (DirHit h : scanDir(fs, dirIno)) {
            if (h.entry().inode() != 0 && java.util.Arrays.equals(h.entry().name(), name)) return h.entry().inode();
        }
        return 0;
    }

    record DirHit(long block, long logical, DirBlock.Entry entry) {}

    static List<DirHit> scanDir(Ext4Volume fs, long dirIno) throws IOException {
        Ext4Inode d = fs.inode(dirIno);
        if ((d.mode() & Ext4Inode.S_IFMT) != Ext4Inode.S_IFDIR) throw new HostException("inode " + dirIno + " is not a directory");
        if ((d.flags() & Ext4Inode.FL_INLINE_DATA) != 0 || (d.flags() & Ext4Inode.FL_EXTENTS) == 0) {
            throw new HostException("host directory inode " + dirIno + " is inline or block-mapped; not handled");
        }
        List<DirHit> out = new ArrayList<>();
        for (Extent e : ExtentTree.read(fs, d).extents()) {
            if (e.unwritten()) continue;
            for (int i = 0; i < e.length(); i++) {
                long blk = e.physical() + i;
                byte[] data = fs.block(blk);
            // htree index blocks (the root, and nodes behind a fake entry spanning the block) carry a dx_tail
            // instead, and the kernel leaves a stale leaf tail in a converted root: check leaves only
            boolean index = (d.flags() & Ext4Inode.FL_INDEX) != 0 && (e.logical() + i == 0 || DirBlock.isIndexNode(data));
            if (fs.csum() && !index && DirBlock.hasTail(data) && !DirBlock.tailValid(data, d.csumSeed(fs.seed()))) {
                throw new HostException("host ext4: directory inode " + dirIno + " block " + blk + " checksum mismatch; run e2fsck first");
            }
            for (DirBlock.Entry en : DirBlock.parse(data, blk, "inode " + dirIno)) {
                    out.add(new DirHit(blk, e.logical() + i, en));
                }
            }
        }
        return out;
    }

    /** The image file's bytes, read from the device; guest stacks built on it donate their runs. */
    public ImageFileLayer image() { return image; }

    /** The device as a host file: runs mapped onto it at image-owned blocks are donated too. */
    public HostFile deviceFile() { return deviceFile; }

    public int blockSize() { return sb.blockSize(); }

    /** Byte offset of the filesystem on the device (a partition's start; 0 for a whole filesystem). */
    public long offset() { return offset; }

    long imageIno() { return imageIno; }

    String imagePath() { return imagePath; }

    Ext4Volume readFs() { return readFs; }

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
        Ext4Superblock fresh = readSuperblock(devicePath, offset);
        if (!java.util.Arrays.equals(fresh.raw(), sb.raw())) throw new HostException(devicePath + " changed since it was opened");
        BlockDevice dev = FileBlockDevice.open(devicePath, sb.blockSize(), !opt.dryRun(), offset, length);
        CountingDevice counter;
        try {
            if (!opt.dryRun()) dev = UndoLog.create(dev, opt.undoFile(), sb.uuid(), offset);
            if (opt.faultAfterWrites() >= 0) dev = new FaultInjectingDevice(dev, opt.faultAfterWrites());
            counter = new CountingDevice(dev);
            Ext4Volume fs = Ext4Volume.open(counter, devicePath.toString(), Ext4Superblock.parse(fresh.raw(), devicePath.toString()));
            DetachWriter w = new DetachWriter(fs, counter, this, opt);
            OfflineReport r = w.run(toPathInFs, items);
            return new OfflineReport(r.files(), r.directories(), r.symlinks(), r.hardlinks(), r.others(), r.bytesTotal(),
                    r.blocksDonated(), r.blocksCopied(), r.blocksFreed(), r.metadataBlocksWritten(), r.blockSize(), r.dryRun(),
                    (System.nanoTime() - t0) / 1e9, r.notes());
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
