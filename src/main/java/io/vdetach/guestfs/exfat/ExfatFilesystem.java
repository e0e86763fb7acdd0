package io.vdetach.guestfs.exfat;

import io.vdetach.guestfs.fat.ChainRuns;
import io.vdetach.extent.RunTableLayer;
import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.CachedLayer;
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
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * exFAT, read-only, after Microsoft's "exFAT file system specification" (learn.microsoft.com).
 *
 * <p>Checked: the boot region checksum (falling back to the backup boot region), the presence
 * of the allocation bitmap, the up-case table's checksum, every entry set's SetChecksum (a
 * mismatch fails that entry only) and, with the up-case table, each NameHash (a mismatch is
 * a note on the node: Linux does not check it when listing). The bitmap itself is not read:
 * files are located through their own entries, as every driver does.
 *
 * <p>Nodes carry what Linux's exfat mount shows with default options as root (umask 022):
 * uid/gid 0, directories 0755, files 0755 or 0555 when read-only; mtime with its 10 ms
 * increment and UTC offset applied (no valid offset: read as UTC), ctime = mtime, btime the
 * creation time. Node ids are the byte offsets of File entries on the volume; the root is 0.
 */
public final class ExfatFilesystem implements GuestFilesystem {
    static final long ROOT_ID = 0;
    private static final String FORMAT = ExfatBootSector.FORMAT;
    private static final int BOOT_REGION_SECTORS = 12;
    /** The allocation bitmap is cached in blocks of this size: 512 Ki clusters. */
    private static final int BITMAP_BLOCK = 64 << 10;

    private final Layer volume;
    private final ExfatBootSector boot;
    private final ExfatFat fat;
    private final int clusterSize;
    private final List<String> warnings = new ArrayList<>();
    private UpcaseTable upcase;
    private long bitmapFirst, bitmapLength, bitmapEntryAt;
    private String label = "";
    /** Entry sets of recent listings by node id, so node() rarely re-reads the directory. */
    private final BlockCache.Region<EntrySet> sets;
    private final BlockCache cache;

    private ExfatFilesystem(Layer volume, ExfatBootSector boot, BlockCache cache) {
        this.volume = volume;
        this.boot = boot;
        this.fat = new ExfatFat(volume, boot, cache);
        this.clusterSize = boot.clusterSize();
        this.cache = cache;
        this.sets = cache.region("exfat entry sets of " + volume.describe(), s -> 200 + 2L * s.name().length());
    }

    /** Opens the filesystem on {@code volume}, keeping FAT chunks and entry sets in {@code cache}. */
    public static ExfatFilesystem open(Layer volume, BlockCache cache) throws IOException {
        List<String> notes = new ArrayList<>();
        ExfatBootSector boot = bootRegion(volume, notes);
        ExfatFilesystem fs = new ExfatFilesystem(volume, boot, cache);
        fs.warnings.addAll(notes);
        if ((boot.volumeFlags() & 2) != 0) fs.warnings.add("the volume is marked dirty (VolumeFlags.VolumeDirty)");
        if ((boot.volumeFlags() & 4) != 0) fs.warnings.add("the volume reports media failures (VolumeFlags.MediaFailure)");
        fs.loadRoot();
        return fs;
    }

    /** Section 3.4: the main boot region when its checksum holds, else the backup at sector 12. */
    private static ExfatBootSector bootRegion(Layer volume, List<String> notes) throws IOException {
        CorruptImageException mainError;
        int mainShift = volume.size() >= 512 ? volume.readBytes(0, 512).get(108) & 0xff : 0;
        try {
            return checkedRegion(volume, 0, mainShift);
        } catch (CorruptImageException e) {
            mainError = e;
        }
        for (int shift : IntStream.of(mainShift, 9, 10, 11, 12).filter(s -> s >= 9 && s <= 12).distinct().toArray()) {
            try {
                ExfatBootSector b = checkedRegion(volume, (long) BOOT_REGION_SECTORS << shift, shift);
                notes.add("the main boot region is damaged (" + mainError.getMessage() + "); read the backup boot region");
                return b;
            } catch (CorruptImageException ignored) {
                // try the next sector size; the main region's error is the one reported
            }
        }
        throw mainError;
    }

    private static ExfatBootSector checkedRegion(Layer volume, long at, int shift) throws IOException {
        if (shift < 9 || shift > 12) {
            throw new CorruptImageException(FORMAT, "boot sector", at + 108, "BytesPerSectorShift " + shift + " is outside 9..12");
        }
        int ss = 1 << shift;
        if (volume.size() < at + (long) BOOT_REGION_SECTORS * ss) {
            throw new CorruptImageException(FORMAT, "boot region", at, "volume too small for a boot region");
        }
        ByteBuffer region = volume.readBytes(at, BOOT_REGION_SECTORS * ss);
        ExfatBootSector b = ExfatBootSector.parse(region.slice(0, ss), at);
        if (b.bytesPerSectorShift() != shift) {
            throw new CorruptImageException(FORMAT, "boot sector", at + 108, "BytesPerSectorShift differs from the region's");
        }
        int sum = ExfatBootSector.bootChecksum(region, ss);
        for (int i = 0; i < ss; i += 4) {
            int stored = region.order(ByteOrder.LITTLE_ENDIAN).getInt(11 * ss + i);
            if (stored != sum) {
                throw new CorruptImageException(FORMAT, "boot checksum sector", at + 11L * ss + i,
                        String.format("stored 0x%08X, computed 0x%08X over sectors 0-10", stored, sum));
            }
        }
        return b.validate(volume.size(), at);
    }

    /** Clusters set in the allocation bitmap (section 7.1), for progress estimates; -1 when it cannot be read. */
    @Override
    public long usedBytes() {
        return Allocation.estimate(() -> clusterSize * Allocation.setBits(new RunTableLayer(
                fileRuns(bitmapFirst, bitmapLength, bitmapLength, false, "allocation bitmap", bitmapEntryAt), "exfat allocation bitmap"),
                bitmapLength));
    }

    private void loadRoot() throws IOException {
        ExfatDirectory root = readRoot(null);
        if (root.bitmapEntry == null) {
            throw new CorruptImageException(FORMAT, "root directory", clusterOffset(boot.firstClusterOfRootDirectory()),
                    "no allocation bitmap entry");
        }
        long bmFirst = root.bitmapEntry.getInt(20) & 0xffffffffL;
        long bmLen = root.bitmapEntry.getLong(24);
        bitmapEntryAt = root.bitmapAt;
        if (!fat.valid(bmFirst) || bmLen < (boot.clusterCount() + 7) / 8) {
            throw new CorruptImageException(FORMAT, "allocation bitmap entry", bitmapEntryAt,
                    "first cluster " + bmFirst + ", length " + bmLen + " for " + boot.clusterCount() + " clusters");
        }
        bitmapFirst = bmFirst;
        bitmapLength = (boot.clusterCount() + 7) / 8;
        if (root.upcaseEntry == null) {
            warnings.add("no up-case table: name hashes not checked");
        } else {
            long sum = root.upcaseEntry.getInt(4) & 0xffffffffL;
            long first = root.upcaseEntry.getInt(20) & 0xffffffffL;
            long len = root.upcaseEntry.getLong(24);
            if (len <= 0 || len > UpcaseTable.MAX_BYTES || !fat.valid(first)) {
                warnings.add("up-case table entry is damaged (length " + len + "): name hashes not checked");
            } else {
                // The up-case table's clusters follow the FAT like a file's (section 7.2: its entry has no NoFatChain flag).
                ByteBuffer raw = new RunTableLayer(fileRuns(first, len, len, false, "up-case table", root.upcaseAt),
                        "exfat up-case table").readBytes(0, (int) len);
                if (UpcaseTable.checksum(raw) != sum) {
                    warnings.add(String.format("up-case table checksum mismatch (stored 0x%08X): name hashes not checked", sum));
                } else {
                    upcase = UpcaseTable.parse(raw);
                }
            }
        }
        label = root.label == null ? "" : root.label;
    }

    @Override public String type() { return "exfat"; }
    @Override public String label() { return label; }
    @Override public int blockSize() { return clusterSize; }

    /**
     * Section 7.4.8: modification and creation times have a 10 ms field, the access time does not
     * (2-second steps); the change time Linux shows is the modification time.
     */
    @Override public TimePrecision timePrecision() { return new TimePrecision(2, 0, 2, 2); }

    /** The byte offset of the entry set's File directory entry in the volume (its node id); 0 for the root. */
    @Override public String inodeLabel(Node node) { return Long.toString(node.id()); }
    @Override public List<String> warnings() { return List.copyOf(warnings); }
    @Override public long rootId() { return ROOT_ID; }

    /** Byte offset of the cluster heap in the volume. */
    public long heapStart() { return boot.heapStart(); }

    @Override
    public Node node(long id) throws IOException {
        if (id == ROOT_ID) {
            return new Node(ROOT_ID, EntryType.DIRECTORY, 0755, 0, 0, 0, 1, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH,
                    null, null, 0, 0, List.of(), List.of(), -1); // the root has no entry set, so no attributes
        }
        return nodeOf(set(id));
    }

    /** The node of the entry set {@code s}, live or deleted. */
    Node nodeOf(EntrySet s) {
        long id = s.offset();
        FileDirectoryEntry f = s.file();
        boolean dir = f.isDirectory();
        int mode = dir || (f.fileAttributes() & FileDirectoryEntry.ATTR_READ_ONLY) == 0 ? 0755 : 0555;
        Instant mtime = ExfatTime.toInstant(f.lastModifiedTimestamp(), f.lastModified10ms(), f.lastModifiedUtcOffset());
        Instant atime = ExfatTime.toInstant(f.lastAccessedTimestamp(), 0, f.lastAccessedUtcOffset());
        Instant btime = ExfatTime.toInstant(f.createTimestamp(), f.create10ms(), f.createUtcOffset());
        List<String> notes = s.nameHashOk() ? List.of() : List.of("NameHash does not match the name (damaged name?)");
        return new Node(id, dir ? EntryType.DIRECTORY : EntryType.FILE, mode, 0, 0, dir ? 0 : s.stream().dataLength(), 1,
                mtime, atime, mtime, btime, null, 0, 0, List.of(), notes,
                FileAttributes.asShown(f.fileAttributes() & FileDirectoryEntry.ATTRIBUTE_BITS));
    }

    /** Deleted entry sets below the root, in live and in deleted directories: see {@link ExfatDeletedScan}. */
    @Override
    public Optional<DeletedEntries> deleted() throws IOException {
        Layer bitmap = new CachedLayer(new RunTableLayer(fileRuns(bitmapFirst, bitmapLength, bitmapLength, false,
                "allocation bitmap", bitmapEntryAt), "exfat allocation bitmap"), BITMAP_BLOCK, cache);
        return Optional.of(new ExfatDeletedScan(this, fat, bitmap, upcase, clusterSize));
    }

    @Override
    public List<DirEntry> list(Node directory) throws IOException {
        ExfatDirectory d;
        if (directory.id() == ROOT_ID) {
            d = readRoot(upcase);
        } else {
            EntrySet s = set(directory.id());
            if (!s.file().isDirectory()) throw new IllegalArgumentException("not a directory: " + directory.id());
            StreamExtensionEntry st = s.stream();
            long len = st.dataLength() & ~31L; // whole entries only
            String what = "directory \"" + s.name() + "\"";
            d = ExfatDirectory.read(new RunTableLayer(fileRuns(st.firstCluster(), len, len, st.noFatChain(), what, s.offset()),
                    "exfat " + what), upcase);
        }
        List<DirEntry> out = new ArrayList<>(d.sets.size());
        for (EntrySet s : d.sets) {
            sets.put(s.offset(), s);
            out.add(new DirEntry(s.name().getBytes(StandardCharsets.UTF_8), s.offset()));
        }
        return out;
    }

    @Override
    public Layer content(Node file) throws IOException {
        EntrySet s = set(file.id());
        StreamExtensionEntry st = s.stream();
        if (s.file().isDirectory()) throw new IllegalArgumentException("not a file: " + file.id());
        RunTable t = fileRuns(st.firstCluster(), st.dataLength(), st.validDataLength(), st.noFatChain(),
                "file \"" + s.name() + "\"", s.offset());
        return new RunTableLayer(t, "exfat file \"" + s.name() + "\" at entry offset " + s.offset());
    }

    /** Clusters mapped for {@code [0, valid)}, a hole from there to {@code size} (section 7.6.5, ValidDataLength). */
    RunTable fileRuns(long first, long size, long valid, boolean noFatChain, String what, long entryOffset)
            throws IOException {
        long clusters = (valid + clusterSize - 1) / clusterSize;
        return table(noFatChain ? fat.contiguous(first, clusters, "stream extension of " + what, entryOffset + 32)
                : fat.chain(first, clusters, clusters, what, entryOffset), size, valid);
    }

    /** {@code runs} mapped for {@code [0, valid)}, which they cover, and a hole from there to {@code size}. */
    RunTable table(List<ChainRuns.ClusterRun> runs, long size, long valid) {
        RunTable.Builder t = RunTable.builder(size);
        long pos = 0;
        for (ChainRuns.ClusterRun r : runs) {
            long len = Math.min(r.count() * clusterSize, valid - pos);
            t.add(new Run.Mapped(pos, len, volume, clusterOffset(r.first())));
            pos += len;
        }
        return t.build();
    }

    /** The root directory with its deleted sets, for {@link ExfatDeletedScan}. */
    ExfatDirectory readRootWithDeleted() throws IOException {
        return readRoot(upcase, true);
    }

    private ExfatDirectory readRoot(UpcaseTable up) throws IOException {
        return readRoot(up, false);
    }

    private ExfatDirectory readRoot(UpcaseTable up, boolean withDeleted) throws IOException {
        long max = Math.min(fat.clusterCount(), ExfatDirectory.MAX_BYTES / clusterSize);
        List<ChainRuns.ClusterRun> runs = fat.chain(boot.firstClusterOfRootDirectory(), -1, Math.max(1, max), "root directory", 96);
        long size = clusterSize * runs.stream().mapToLong(ChainRuns.ClusterRun::count).sum();
        return ExfatDirectory.read(new RunTableLayer(table(runs, size, size), "exfat root directory"), up, withDeleted);
    }

    /** The byte at {@code offset} of the volume. */
    int volumeByte(long offset) throws IOException {
        return volume.readBytes(offset, 1).get(0) & 0xff;
    }

    long clusterOffset(long cluster) {
        return boot.heapStart() + (cluster - 2) * clusterSize;
    }

    /** The entry set at a node id: from the cache, else re-read from the volume; its error thrown. */
    private EntrySet set(long id) throws IOException {
        EntrySet s = sets.get(id, this::reread);
        if (s.error() != null) throw s.error();
        return s;
    }

    /**
     * Reads the set at {@code id} without its directory: the following entries are in the same
     * cluster, or in the next one of the directory: the FAT's successor for a chained directory,
     * the adjacent cluster for a contiguous one. Both are tried where they differ; the
     * SetChecksum tells which was right.
     */
    private EntrySet reread(long id) throws IOException {
        long heap = boot.heapStart();
        if (id < heap || id % 32 != 0 || id >= heap + fat.clusterCount() * clusterSize) {
            throw new IllegalArgumentException("not an exFAT node id: " + id);
        }
        ByteBuffer first = volume.readBytes(id, 32);
        if ((first.get(0) & 0xff) != FileDirectoryEntry.TYPE) {
            throw new CorruptImageException(FORMAT, "directory entry", id, "no longer a File entry");
        }
        int n = 1 + Math.min(EntrySet.MAX_SECONDARY, first.get(1) & 0xff);
        long cluster = 2 + (id - heap) / clusterSize;
        boolean chained = fat.valid(fat.entry(cluster));
        EntrySet s = rereadVia(id, n, chained);
        if (s.error() != null && chained) {
            EntrySet adjacent = rereadVia(id, n, false);
            if (adjacent.error() == null) return adjacent;
        }
        return s;
    }

    /** The set's {@code n} entries from {@code id}, crossing into the FAT's next cluster or the adjacent one. */
    private EntrySet rereadVia(long id, int n, boolean viaFat) throws IOException {
        long heap = boot.heapStart();
        ByteBuffer raw = ByteBuffer.allocate(n * 32);
        long at = id;
        for (int i = 0; i < n; i++) {
            if (i > 0 && (at - heap) % clusterSize == 0) {
                long prev = 2 + (at - heap) / clusterSize - 1;
                long next = viaFat ? fat.entry(prev) : prev + 1;
                if (!fat.valid(next)) break;
                at = clusterOffset(next);
            }
            raw.put(volume.readBytes(at, 32));
            at += 32;
        }
        raw.flip();
        int got = raw.limit() / 32;
        int inUse = 1;
        while (inUse < got && (raw.get(inUse * 32) & 0xC0) == 0xC0) inUse++;
        return EntrySet.parse(raw, inUse, id, upcase);
    }
}
