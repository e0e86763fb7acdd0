package io.vdetach.guestfs.fat;

import io.vdetach.extent.RunTableLayer;
import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import io.vdetach.guestfs.Allocation;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.FileAttributes;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TimePrecision;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * FAT12, FAT16 and FAT32 with VFAT long names, read-only, after Microsoft's "FAT32 File System
 * Specification" (fatgen103, 2000).
 *
 * <p>What Linux's vfat mount shows with its default options (as root, umask 022) is what a
 * node carries: uid and gid 0, directories 0755, files 0755 or 0555 when the read-only
 * attribute is set; 8.3 names with the NT lower-case flags applied and decoded from code
 * page 437; mtime and ctime from the write time (2 s), atime from the access date, btime from
 * the creation time (10 ms). FAT stores local time without a zone: like vfat without {@code tz=},
 * times are read as UTC unless {@link #open(Layer, ZoneId, BlockCache)} names the zone the guest used.
 *
 * <p>Node ids are the byte offsets of 8.3 entries on the volume (unique, stable); the root,
 * which has no entry, is {@link #ROOT_ID} (offset 0 is the boot sector, never an entry).
 */
public final class FatFilesystem implements GuestFilesystem {
    static final long ROOT_ID = 0;
    private static final String FORMAT = BiosParameterBlock.FORMAT;
    private static final int MODE_DIR = 0755;
    private static final int MODE_FILE = 0755;
    /** DIR_Attr's defined bits (fatgen103 section 6): read-only, hidden, system, volume id, directory, archive. */
    private static final int ATTRIBUTE_BITS = 0x3f;
    private static final int NO_WRITE = 0222;

    private final Layer volume;
    private final FatLayout layout;
    private final FatTable fat;
    private final ZoneId zone;
    private final OemCodePage codePage;
    private String label;
    private List<String> warnings;
    /** 8.3 entries of recent listings by node id, so node() and content() rarely re-read them from the volume. */
    private final BlockCache.Region<ShortDirEntry> entries;

    private FatFilesystem(Layer volume, FatLayout layout, ZoneId zone, OemCodePage codePage, BlockCache cache) {
        this.volume = volume;
        this.layout = layout;
        this.fat = new FatTable(volume, layout, cache);
        this.zone = zone;
        this.codePage = codePage;
        this.entries = cache.region("fat directory entries of " + volume.describe(), e -> 96);
    }

    /**
     * Opens the filesystem on {@code volume}, reading its local times in {@code zone} (vdetach's --fat-tz),
     * keeping FAT chunks and directory entries in {@code cache}.
     */
    public static FatFilesystem open(Layer volume, ZoneId zone, BlockCache cache) throws IOException {
        return open(volume, zone, OemCodePage.CP437, cache);
    }

    /** As {@link #open(Layer, ZoneId, BlockCache)}, its 8.3 names in the code page {@code cp} (vdetach's --fat-codepage). */
    static FatFilesystem open(Layer volume, ZoneId zone, OemCodePage cp, BlockCache cache) throws IOException {
        ByteBuffer boot = volume.readBytes(0, (int) Math.min(512, volume.size())); // the volume's first sector
        BiosParameterBlock bpb = BiosParameterBlock.parse(boot, 0);
        if ((boot.getShort(510) & 0xffff) != 0xaa55) throw new CorruptImageException(FORMAT, "boot sector", 510, "no 0x55AA signature");
        FatFilesystem fs = new FatFilesystem(volume, FatLayout.of(bpb, volume.size()), zone, cp, cache);
        String rootLabel = fs.readRoot().label;
        String bpbLabel = fs.layout.type() == FatType.FAT32
                ? (bpb.bootSignature32() == 0x29 ? bpb.label32() : "")
                : (bpb.bootSignature16() == 0x29 ? bpb.label16() : "");
        fs.label = rootLabel != null ? rootLabel.stripTrailing() : bpbLabel.equals("NO NAME") ? "" : bpbLabel;
        fs.warnings = fs.volumeWarnings();
        return fs;
    }

    /** FAT[1] keeps a clean-shutdown bit on FAT16 and FAT32 (fatgen103 section 4). */
    private List<String> volumeWarnings() throws IOException {
        List<String> w = new ArrayList<>();
        if (layout.type() == FatType.FAT32 && FatType.ofClusterCount(layout.clusterCount()) != FatType.FAT32) {
            w.add("FAT32 layout with " + layout.clusterCount() + " clusters, fewer than the specification's 65,525 "
                    + "(read as FAT32, as Linux does; Windows would not)");
        }
        long f1 = fat.entry(1);
        boolean dirty = switch (layout.type()) {
            case FAT12 -> false;
            case FAT16 -> (f1 & 0x8000) == 0;
            case FAT32 -> (f1 & 0x08000000) == 0;
        };
        if (dirty) w.add("the volume was not cleanly unmounted (FAT[1] clean bit clear)");
        return List.copyOf(w);
    }

    @Override public String type() { return "vfat"; }

    /** FAT12, FAT16 or FAT32, as the cluster count decides. */
    public String fatType() { return layout.type().name(); }

    @Override public String label() { return label; }

    @Override public int blockSize() { return layout.clusterSize(); }

    /**
     * fatgen103 section 6.4: the write time counts 2-second steps, the access time is a date, the
     * creation time has a 10 ms field; the change time Linux shows is the write time.
     */
    @Override public TimePrecision timePrecision() { return new TimePrecision(0, 0, 0, 2); }

    /** The byte offset of the entry's 8.3 directory entry in the volume (its node id); 0 for the root. */
    @Override public String inodeLabel(Node node) { return Long.toString(node.id()); }

    /** Clusters whose FAT entry is not free, for progress estimates; -1 when the FAT cannot be read. */
    @Override
    public long usedBytes() {
        return Allocation.estimate(() -> {
            long used = 0;
            for (long c = 2; c < layout.clusterCount() + 2; c++) if (fat.entry(c) != 0) used++;
            return used * layout.clusterSize();
        });
    }

    /** Byte offset of cluster 2 in the volume: file data lies at multiples of the cluster size from here. */
    public long dataStart() { return layout.dataStart(); }

    @Override public List<String> warnings() { return warnings; }

    @Override public long rootId() { return ROOT_ID; }

    @Override
    public Node node(long id) throws IOException {
        if (id == ROOT_ID) {
            Instant epoch = Instant.EPOCH; // Linux gives the root, which has no entry, time 0
            return new Node(ROOT_ID, EntryType.DIRECTORY, MODE_DIR, 0, 0, 0, 1, epoch, epoch, epoch, null,
                    null, 0, 0, List.of(), List.of(), -1); // the root has no entry, so no attributes
        }
        return nodeOf(id, entryAt(id));
    }

    /** The node of the 8.3 entry {@code e} at {@code id}, live or deleted. */
    Node nodeOf(long id, ShortDirEntry e) {
        boolean dir = e.isDirectory();
        int mode = dir ? MODE_DIR : MODE_FILE;
        // Linux vfat: the read-only attribute removes write bits from files; on directories only with rodir.
        if (!dir && (e.attributes() & ShortDirEntry.ATTR_READ_ONLY) != 0) mode &= ~NO_WRITE;
        Instant mtime = FatTime.toInstant(e.writeDate(), e.writeTime(), 0, zone);
        Instant atime = FatTime.toInstant(e.accessDate(), 0, 0, zone);
        Instant btime = FatTime.toInstant(e.createDate(), e.createTime(), Math.min(e.createTenths(), 199), zone);
        return new Node(id, dir ? EntryType.DIRECTORY : EntryType.FILE, mode, 0, 0, dir ? 0 : e.fileSize(), 1,
                mtime, atime, mtime, btime, null, 0, 0, List.of(), List.of(), FileAttributes.asShown(e.attributes() & ATTRIBUTE_BITS));
    }

    /** Deleted entries below the root, in live and in deleted directories: see {@link FatDeletedScan}. */
    @Override
    public Optional<DeletedEntries> deleted() {
        return Optional.of(new FatDeletedScan(this, volume, layout, fat, codePage));
    }

    @Override
    public List<DirEntry> list(Node directory) throws IOException {
        FatDirectory d = directory.id() == ROOT_ID ? readRoot() : readDirectory(directory.id(), entryAt(directory.id()));
        List<DirEntry> out = new ArrayList<>(d.items.size());
        for (FatDirectory.Item i : d.items) {
            entries.put(i.offset(), i.entry());
            out.add(new DirEntry(i.name(), i.offset()));
        }
        return out;
    }

    @Override
    public Layer content(Node file) throws IOException {
        ShortDirEntry e = entryAt(file.id());
        if (e.isDirectory()) throw new IllegalArgumentException("not a file: entry at " + file.id());
        long size = e.fileSize();
        long wanted = (size + layout.clusterSize() - 1) / layout.clusterSize();
        String what = "file at entry offset " + file.id();
        return layer(fat.chain(e.firstCluster(layout.type()), wanted, wanted, what, file.id()), size, "fat " + what);
    }

    /** The clusters of {@code runs} in order as a layer of {@code size} bytes onto the volume. */
    RunTableLayer layer(List<ChainRuns.ClusterRun> runs, long size, String name) {
        RunTable.Builder table = RunTable.builder(size);
        long pos = 0;
        for (ChainRuns.ClusterRun r : runs) {
            table.add(new Run.Mapped(pos, r.count() * layout.clusterSize(), volume, layout.clusterOffset(r.first())));
            pos += r.count() * layout.clusterSize();
        }
        return new RunTableLayer(table.build(), name);
    }

    /** The 8.3 entry at a node id, checked to be one this reader hands out. */
    private ShortDirEntry entryAt(long id) throws IOException {
        if (id <= 0 || id % ShortDirEntry.SIZE != 0 || id > volume.size() - ShortDirEntry.SIZE) {
            throw new IllegalArgumentException("not a FAT node id: " + id);
        }
        return entries.get(id, this::readEntry);
    }

    /** The 8.3 entry at {@code id}, read again from the volume (it fell out of the cache). */
    private ShortDirEntry readEntry(long id) throws IOException {
        ShortDirEntry e = ShortDirEntry.parse(volume.readBytes(id, ShortDirEntry.SIZE), 0);
        int first = e.name()[0] & 0xff;
        if (first == 0 || first == ShortDirEntry.FREE || (e.attributes() & 0x3f) == ShortDirEntry.ATTR_LONG_NAME
                || (e.attributes() & ShortDirEntry.ATTR_VOLUME_ID) != 0) {
            throw new CorruptImageException(FORMAT, "directory entry", id, "no longer a file or directory entry");
        }
        return e;
    }

    FatDirectory readRoot() throws IOException {
        if (layout.type() == FatType.FAT32) {
            return readChain(layout.rootCluster(), "root directory", 44); // BPB_RootClus names it
        }
        return FatDirectory.parse(volume.readBytes(layout.rootDirOffset(), layout.rootDirBytes()), at -> layout.rootDirOffset() + at, codePage);
    }

    private FatDirectory readDirectory(long id, ShortDirEntry e) throws IOException {
        if (!e.isDirectory()) throw new IllegalArgumentException("not a directory: entry at " + id);
        long first = e.firstCluster(layout.type());
        if (first == 0) {
            throw new CorruptImageException(FORMAT, "directory entry", id, "a subdirectory with no cluster");
        }
        return readChain(first, "directory at entry offset " + id, id);
    }

    FatDirectory readChain(long first, String what, long entryOffset) throws IOException {
        long max = Math.min(layout.clusterCount(), Math.max(1, FatDirectory.MAX_BYTES / layout.clusterSize()));
        List<ChainRuns.ClusterRun> runs = fat.chain(first, -1, max, what, entryOffset);
        RunTableLayer dir = layer(runs, layout.clusterSize() * runs.stream().mapToLong(ChainRuns.ClusterRun::count).sum(), "fat " + what);
        return FatDirectory.parse(dir.readBytes(0, (int) dir.size()), at -> ((Run.Mapped) dir.map(at, 1).getFirst()).offset(), codePage);
    }
}
