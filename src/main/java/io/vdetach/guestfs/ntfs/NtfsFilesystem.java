package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.ImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.extent.RunTable;
import io.vdetach.extent.RunTableLayer;
import io.vdetach.guestfs.Allocation;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.FileAttributes;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TimePrecision;
import io.vdetach.guestfs.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An NTFS volume (versions 1.2 to 3.1), read-only, presented the way ntfs-3g mounted with
 * {@code ro,streams_interface=xattr} shows it: modes 0777, owner 0:0, mtime/atime/ctime from
 * $STANDARD_INFORMATION, named streams as {@code user.<name>} xattrs, Interix symlinks, devices,
 * FIFOs and sockets, symbolic links and junctions as symlinks. Besides what ntfs-3g shows, each
 * node carries its creation time ({@link Node#btime()}) and Windows attributes
 * ({@link Node#fileAttributes()}); with {@link MountOptions#ntfsXattrs()} files and directories
 * also carry them as {@link #XATTR_CRTIME} and {@link #XATTR_ATTRIB}.
 *
 * <p>Sources: Microsoft's NTFS documentation (file record segments, attribute records, MS-FSCC
 * reparse data buffers, MS-XCA LZNT1) and the public NTFS format descriptions.
 */
public final class NtfsFilesystem implements GuestFilesystem {
    /** Creation time from $STANDARD_INFORMATION: 8 bytes, little-endian NT time (100 ns since 1601). */
    public static final String XATTR_CRTIME = "user.ntfs.crtime";
    /** DOS file attributes from $STANDARD_INFORMATION: 4 bytes, little-endian. */
    public static final String XATTR_ATTRIB = "user.ntfs.attrib";
    /** Linux refuses xattr values above 64 KiB (XATTR_SIZE_MAX); bigger streams go to {@link #largeStreams}. */
    public static final int MAX_XATTR_VALUE = 65536;
    /** An attribute list of 4 MiB names ~130,000 attributes, far beyond any real file. */
    static final int MAX_ATTRIBUTE_LIST = 4 << 20;
    /** Reparse data is at most 16 KiB (MAXIMUM_REPARSE_DATA_BUFFER_SIZE). */
    static final int MAX_REPARSE = 16 << 10;
    /** ntfs-3g reads Interix files of up to 8 + 2 * PATH_MAX bytes. */
    private static final int MAX_INTERIX = 8 + 2 * 4096;
    /**
     * What a parsed file record is charged in the block cache: about 16 times its objects, so that
     * only the few thousand files being worked on stay parsed (node, then content and streams). A walk
     * of a million files then neither pushes MFT chunks out nor keeps the collector copying records
     * nobody asks for again; one that fell out is parsed again from its cached chunk.
     */
    private static final long FILE_RECORD_CHARGE = 16 << 10;

    private final Layer volume;
    private final BootSector boot;
    private final Mft mft;
    private final boolean showSystem;
    private final boolean ntfsXattrs;
    private final List<String> warnings = new ArrayList<>();
    private final String label;
    private DirectoryTree tree;
    private char[] upcase;
    /** Base records with the attributes of their extension records, by record number. */
    private final BlockCache.Region<FileRecord> files;

    private NtfsFilesystem(Layer volume, BootSector boot, Mft mft, boolean showSystem, boolean ntfsXattrs, BlockCache cache)
            throws IOException {
        this.volume = volume;
        this.boot = boot;
        this.mft = mft;
        this.showSystem = showSystem;
        this.ntfsXattrs = ntfsXattrs;
        this.files = cache.region("ntfs file records of " + volume.describe(), f -> FILE_RECORD_CHARGE);
        this.label = readVolumeFile();
    }

    /**
     * Opens the filesystem on {@code volume}; the probe has already seen its magic.
     *
     * @param system also list the metadata files ($MFT, $LogFile, … $Extend and its contents)
     * @param cache where MFT blocks, file records and name indexes are kept
     */
    public static NtfsFilesystem open(Layer volume, boolean system, BlockCache cache) throws IOException {
        return open(volume, system, false, cache);
    }

    /** @param ntfsXattrs also give files and directories {@link #XATTR_CRTIME} and {@link #XATTR_ATTRIB} */
    public static NtfsFilesystem open(Layer volume, boolean system, boolean ntfsXattrs, BlockCache cache) throws IOException {
        BootSector boot;
        List<String> notes = new ArrayList<>();
        try {
            boot = BootSector.parse(volume.readBytes(0, (int) Math.min(512, volume.size())), 0); // the volume's first sector
        } catch (CorruptImageException primary) {
            // The backup boot sector is the volume's last sector (mkntfs, Windows); a partition may end just after it.
            boot = backup(volume, primary);
            notes.add("primary boot sector damaged (" + primary.getMessage() + "): used the backup at the volume's end");
        }
        long volumeBytes = boot.totalSectors() * boot.bytesPerSector();
        if (volumeBytes > volume.size()) {
            // A truncated image or partition: runs are then bounded by the bytes that exist.
            if (volumeBytes > volume.size() + boot.bytesPerSector()) {
                notes.add("the volume claims " + volumeBytes + " bytes but its partition holds " + volume.size());
            }
            boot = new BootSector(boot.bytesPerSector(), boot.clusterSize(), volume.size() / boot.bytesPerSector(),
                    boot.mftLcn(), boot.mftMirrLcn(), boot.mftRecordSize(), boot.indexRecordSize(), boot.serial());
            if (boot.mftLcn() >= boot.clusters()) {
                // 0x30: the boot sector's $MFT cluster field
                throw new CorruptImageException("ntfs", "boot sector", 0x30, "$MFT cluster past the volume's end");
            }
        }
        Mft mft = Mft.open(volume, boot, cache);
        NtfsFilesystem fs = new NtfsFilesystem(volume, boot, mft, system, ntfsXattrs, cache);
        fs.warnings.addAll(0, notes);
        return fs;
    }

    private static BootSector backup(Layer volume, CorruptImageException primary) throws IOException {
        for (long at : new long[] {volume.size() - 512, volume.size() - 4096}) {
            if (at <= 0) continue;
            try {
                return BootSector.parse(volume.readBytes(at, 512), at);
            } catch (CorruptImageException ignored) {
                // try the next candidate
            }
        }
        throw primary;
    }

    private String readVolumeFile() throws IOException {
        FileRecord vol = file(3);
        String name = "";
        for (Attribute a : vol.attributes()) {
            if (a.type() == Attribute.VOLUME_NAME && a.resident()) {
                ByteBuffer b = ByteBuffer.wrap(a.value()).order(ByteOrder.LITTLE_ENDIAN);
                name = Attribute.utf16(b, 0, a.value().length / 2);
            }
            if (a.type() == Attribute.VOLUME_INFORMATION && a.resident() && a.value().length >= 12) {
                int flags = (a.value()[10] & 0xff) | (a.value()[11] & 0xff) << 8;
                if ((flags & 0x0001) != 0) {
                    warnings.add("volume is marked dirty (not cleanly unmounted); $LogFile is not replayed, so the last changes may be missing");
                }
            }
        }
        return name;
    }

    @Override public String type() { return "ntfs"; }

    @Override public String label() { return label; }

    @Override public int blockSize() { return boot.clusterSize(); }

    /** NT times count 100 ns steps. */
    @Override public TimePrecision timePrecision() { return new TimePrecision(7, 7, 7, 7); }

    /** "record-sequence", as Sleuth Kit's fls and bodyfiles write NTFS addresses. */
    @Override
    public String inodeLabel(Node node) throws IOException {
        // the header as stored: a deleted record (--deleted) has one too, with the sequence its deletion left
        long id = node.id();
        MftRecord h = MftRecord.parse(mft.record(id), mft.recordSize(), id, mft.offsetOf(id));
        if (h == null) throw MftRecord.corrupt(id, mft.offsetOf(id), "no FILE magic");
        return id + "-" + h.sequence();
    }

    /** Records not in use whose names and runs survive (--deleted): see {@link DeletedRecords}. */
    @Override
    public java.util.Optional<io.vdetach.guestfs.DeletedEntries> deleted() throws IOException {
        return java.util.Optional.of(new DeletedRecords(this, volume, boot, mft));
    }

    /** $Bitmap (record 6): which clusters are allocated now. */
    Layer clusterBitmap() throws IOException {
        return stream(file(6), "");
    }

    /**
     * The clusters the unnamed $DATA's runlist allocates (for a compressed file the compressed
     * units as stored, for a sparse one its allocated runs; for a WOF-compressed file also the
     * clusters of its compressed stream); 0 for data resident in the MFT record.
     */
    @Override
    public long allocated(Node node, Layer content) throws IOException {
        FileRecord f = file(node.id());
        long clusters = clustersOf(f.streams().get(""));
        if (decompressedWof(f, reparse(f), node.type()) != null) clusters += clustersOf(f.streams().get(WofStream.STREAM));
        return clusters * boot.clusterSize();
    }

    private static long clustersOf(List<Attribute> pieces) {
        long n = 0;
        if (pieces == null) return 0;
        for (Attribute a : pieces) {
            if (a.resident()) continue;
            for (DataRun r : a.runs()) if (!r.sparse()) n += r.length();
        }
        return n;
    }

    /** Includes what the MFT scan found, so asking builds the tree first. */
    @Override
    public synchronized List<String> warnings() {
        try {
            tree();
        } catch (IOException | ImageException e) {
            return java.util.stream.Stream.concat(warnings.stream(), java.util.stream.Stream.of("MFT scan failed: " + e.getMessage())).toList();
        }
        return List.copyOf(warnings);
    }

    @Override public long rootId() { return DirectoryTree.ROOT; }

    /** Clusters set in $Bitmap (MFT record 6), for progress estimates; -1 when it cannot be read. */
    @Override
    public long usedBytes() {
        return Allocation.estimate(() -> {
            FileRecord bitmap = file(6);
            if (bitmap.streams().get("") == null) return -1;
            NtfsStream s = stream(bitmap, "");
            long bytes = Math.min(s.size(), (boot.clusters() + 7) / 8);
            long set = Allocation.setBits(s, bytes);
            // Bits past the last cluster in the final byte are padding (set to 1 by mkntfs): not clusters.
            long pad = bytes * 8 - boot.clusters();
            if (pad > 0 && pad < 8) set -= Integer.bitCount((s.readBytes(bytes - 1, 1).get(0) & 0xff) >>> (8 - pad));
            return set * boot.clusterSize();
        });
    }

    /** Base records in use, as the MFT scan found them (the scan is needed for the walk anyway). */
    @Override
    public long usedEntries() {
        return Allocation.estimate(() -> tree().filesInUse());
    }

    private synchronized DirectoryTree tree() throws IOException {
        if (tree == null) tree = DirectoryTree.build(mft, showSystem, warnings);
        return tree;
    }

    @Override
    public List<DirEntry> list(Node directory) throws IOException {
        if (!directory.isDirectory()) return List.of();
        return tree().children(directory.id());
    }

    /** The base record {@code id} with every attribute of its extension records. */
    FileRecord file(long id) throws IOException {
        return files.get(id, this::readFile);
    }

    private FileRecord readFile(long id) throws IOException {
        long at = mft.offsetOf(id);
        ByteBuffer b = mft.record(id);
        MftRecord h = MftRecord.parse(b, mft.recordSize(), id, at);
        if (h == null || !h.inUse()) throw MftRecord.corrupt(id, at, "record not in use");
        if (h.baseRecord() != 0) throw MftRecord.corrupt(id, at, "an extension record, not a file");
        List<Attribute> attrs = new ArrayList<>(Attribute.parseAll(b, h, id, boot.clusters(), at));
        Attribute list = null;
        for (Attribute a : attrs) if (a.type() == Attribute.ATTRIBUTE_LIST) list = a;
        if (list != null) {
            NtfsStream listStream = new NtfsStream(volume, boot.clusterSize(), List.of(list), "attribute list of MFT record " + id);
            // Each extension record is read once (a list naming a record twice, or itself, cannot loop),
            // and must name this record as its base: a list pointing into another file is corruption.
            Set<Long> seen = new HashSet<>();
            seen.add(id);
            for (AttributeListEntry e : AttributeListEntry.parseAll(listStream.readAll(MAX_ATTRIBUTE_LIST), id, listStream)) {
                long n = MftRecord.number(e.segment());
                if (!seen.add(n)) continue;
                long eat = mft.offsetOf(n);
                ByteBuffer eb = mft.record(n);
                MftRecord eh = MftRecord.parse(eb, mft.recordSize(), n, eat);
                if (eh == null || !eh.inUse() || eh.baseRecord() == 0 || MftRecord.number(eh.baseRecord()) != id) {
                    throw MftRecord.corrupt(n, eat, "attribute list of record " + id + " names a record that is not its extension");
                }
                for (Attribute a : Attribute.parseAll(eb, eh, n, boot.clusters(), eat)) {
                    if (a.type() != Attribute.ATTRIBUTE_LIST) attrs.add(a);
                }
            }
        }
        return new FileRecord(id, h, attrs);
    }

    @Override
    public Node node(long id) throws IOException {
        return nodeOf(file(id));
    }

    /** The node of a base record with its extension records' attributes (in use, or a deleted one the scan recovers). */
    Node nodeOf(FileRecord f) throws IOException {
        long id = f.id();
        StandardInformation si = f.standardInformation();
        long crtime = si == null ? 0 : si.creation();
        int attrib = si == null ? 0 : si.fileAttributes();
        Map<String, List<Attribute>> streams = f.streams();
        List<Attribute> unnamed = streams.get("");
        List<String> notes = new ArrayList<>();
        EntryType type = f.header().isDirectory() ? EntryType.DIRECTORY : EntryType.FILE;
        long size = 0;
        byte[] target = null;
        long major = 0;
        long minor = 0;
        ReparsePoint rp = reparse(f);
        if (rp != null && (rp.tag() == ReparsePoint.TAG_SYMLINK || rp.tag() == ReparsePoint.TAG_MOUNT_POINT)) {
            type = EntryType.SYMLINK;
            target = Names.utf8(new SymlinkTarget(this).of(rp, id, f.header().isDirectory()));
        } else if (rp != null && type == EntryType.FILE && rp.tag() == ReparsePoint.TAG_WOF) {
            Wof w = wof(f);
            if (!w.decompressed()) {
                notes.add("WOF-compressed (" + w.algorithm() + "): not decompressed; content is the raw unnamed stream");
            }
        } else if (rp != null && rp.tag() == ReparsePoint.TAG_DEDUP) {
            notes.add("deduplicated (Windows Server data deduplication): content is in the chunk store, not extracted; content is the raw unnamed stream");
        } else if (rp != null) {
            notes.add(String.format("reparse point with tag 0x%08x: not interpreted", rp.tag()));
        } else if (type == EntryType.FILE && (attrib & StandardInformation.SYSTEM) != 0 && unnamed != null) {
            // Interix (Services for Unix) special files, as ntfs-3g creates and shows them.
            NtfsStream s = stream(f, "");
            if ((attrib & StandardInformation.HIDDEN) == 0 && s.size() == 0) type = EntryType.FIFO;
            if ((attrib & StandardInformation.HIDDEN) == 0 && s.size() == 1) type = EntryType.SOCKET;
            if (s.size() > 8 && s.size() <= MAX_INTERIX) {
                byte[] v = s.readAll(MAX_INTERIX);
                ByteBuffer vb = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
                long magic = vb.getLong(0);
                if (magic == 0x014b4e4c78746e49L) { // "IntxLNK\1"
                    type = EntryType.SYMLINK;
                    int units = (v.length - 8) / 2;
                    char[] c = new char[units];
                    int n = 0;
                    while (n < units && (c[n] = vb.getChar(8 + 2 * n)) != 0) n++;
                    target = Names.utf8(c, 0, n);
                } else if ((magic == 0x004b4c4278746e49L || magic == 0x0052484378746e49L) && v.length == 24) { // "IntxBLK\0", "IntxCHR\0"
                    type = magic == 0x004b4c4278746e49L ? EntryType.BLOCK_DEVICE : EntryType.CHAR_DEVICE;
                    major = vb.getLong(8);
                    minor = vb.getLong(16);
                }
            }
        }
        boolean encrypted = (attrib & StandardInformation.ENCRYPTED) != 0
                || (unnamed != null && (unnamed.getFirst().flags() & Attribute.FLAG_ENCRYPTED) != 0);
        if (encrypted && type == EntryType.FILE) notes.add("encrypted (EFS): raw ciphertext");
        if (type == EntryType.FILE && unnamed != null) size = stream(f, "").size(); // builds the map: checks the runs now
        boolean wofData = decompressedWof(f, rp, type) != null;
        if (type == EntryType.SYMLINK) size = target.length;
        List<Xattr> xattrs = new ArrayList<>();
        if (type == EntryType.FILE || type == EntryType.DIRECTORY) {
            for (Map.Entry<String, List<Attribute>> e : streams.entrySet()) {
                if (e.getKey().isEmpty() || (wofData && e.getKey().equals(WofStream.STREAM))) continue;
                NtfsStream s = new NtfsStream(volume, boot.clusterSize(), e.getValue(), describe(id) + ":" + e.getKey());
                if (s.size() > MAX_XATTR_VALUE) {
                    notes.add("alternate data stream \"" + e.getKey() + "\" of " + s.size() + " bytes: too large for an xattr, kept as a separate stream");
                    continue;
                }
                xattrs.add(new Xattr("user." + Names.string(Names.utf8(e.getKey())), s.readAll(MAX_XATTR_VALUE)));
            }
            if (ntfsXattrs) {
                xattrs.add(new Xattr(XATTR_CRTIME, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(crtime).array()));
                xattrs.add(new Xattr(XATTR_ATTRIB, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(attrib).array()));
            }
        }
        Instant mtime = StandardInformation.instant(si == null ? 0 : si.modification());
        Instant atime = StandardInformation.instant(si == null ? 0 : si.access());
        Instant ctime = StandardInformation.instant(si == null ? 0 : si.mftChange());
        int nlink = type == EntryType.DIRECTORY ? 1 : Math.max(1, f.nonDosNames());
        return new Node(id, type, 0777, 0, 0, size, nlink, mtime, atime, ctime, StandardInformation.instant(crtime),
                target, major, minor, List.copyOf(xattrs), List.copyOf(notes),
                si == null ? -1 : windowsAttributes(attrib, f.header().isDirectory()));
    }

    /** $STANDARD_INFORMATION's attributes as Windows (and ntfs-3g's system.ntfs_attrib) show them. */
    private static int windowsAttributes(int stored, boolean directory) {
        // the record's directory flag is the DIRECTORY attribute; 0x10000000 (an $I30 index is
        // present) is NTFS-internal; no attribute at all reads as NORMAL
        int a = stored & ~StandardInformation.I30_INDEX_PRESENT;
        if (directory) a |= FileAttributes.DIRECTORY;
        return FileAttributes.asShown(a);
    }

    /** The $REPARSE_POINT value, or null when the file has none. */
    private byte[] reparseData(FileRecord f) throws IOException {
        List<Attribute> pieces = new ArrayList<>();
        for (Attribute a : f.attributes()) if (a.type() == Attribute.REPARSE_POINT) pieces.add(a);
        if (pieces.isEmpty()) return null;
        return new NtfsStream(volume, boot.clusterSize(), pieces, "reparse point of " + describe(f.id())).readAll(MAX_REPARSE);
    }

    private ReparsePoint reparse(FileRecord f) throws IOException {
        byte[] v = reparseData(f);
        return v == null ? null : ReparsePoint.parse(v);
    }

    /** The WOF reparse point of a regular file whose data we decompress, else null. */
    private Wof decompressedWof(FileRecord f, ReparsePoint rp, EntryType type) throws IOException {
        if (rp == null || rp.tag() != ReparsePoint.TAG_WOF || type != EntryType.FILE) return null;
        Wof w = wof(f);
        return w.decompressed() ? w : null;
    }

    /**
     * What a WOF reparse point says (WOF_EXTERNAL_INFO {version, provider} then, for the file
     * provider 2, FILE_PROVIDER_EXTERNAL_INFO_V1 {version, algorithm}), and whether we decompress it.
     *
     * @param chunkSize bytes per compressed chunk; 0 when not decompressed
     */
    private record Wof(String algorithm, int chunkSize, boolean decompressed) {}

    private Wof wof(FileRecord f) throws IOException {
        byte[] v = reparseData(f);
        if (v.length < 24) return new Wof("unknown algorithm", 0, false);
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(12) == 1) return new Wof("WIM-backed", 0, false);
        boolean hasData = f.streams().containsKey(WofStream.STREAM) && f.streams().containsKey("");
        return switch (b.getInt(20)) {
            case 0 -> new Wof("XPRESS4K", 4096, hasData);
            case 1 -> new Wof("LZX", 32768, hasData);
            case 2 -> new Wof("XPRESS8K", 8192, hasData);
            case 3 -> new Wof("XPRESS16K", 16384, hasData);
            default -> new Wof("algorithm " + b.getInt(20), 0, false);
        };
    }

    private NtfsStream stream(FileRecord f, String name) {
        return new NtfsStream(volume, boot.clusterSize(), f.streams().get(name), describe(f.id()) + (name.isEmpty() ? "" : ":" + name));
    }

    private static String describe(long id) {
        return "ntfs MFT record " + id;
    }

    @Override
    public Layer content(Node file) throws IOException {
        return contentOf(file(file.id()), file);
    }

    /** The data of {@code file}, whose record is {@code f}. */
    Layer contentOf(FileRecord f, Node file) throws IOException {
        if (file.type() != EntryType.FILE || f.streams().get("") == null) {
            return new RunTableLayer(RunTable.builder(0).build(), describe(file.id())); // a file without data
        }
        NtfsStream data = stream(f, "");
        Wof w = decompressedWof(f, reparse(f), EntryType.FILE);
        if (w == null) return data;
        return new WofStream(stream(f, WofStream.STREAM), data.size(), w.chunkSize(), w.algorithm(), describe(file.id()));
    }

    @Override
    public List<NamedStream> largeStreams(Node file) throws IOException {
        List<NamedStream> out = new ArrayList<>();
        for (NamedStream s : namedStreams(file)) if (s.content().size() > MAX_XATTR_VALUE) out.add(s);
        return out;
    }

    @Override
    public List<NamedStream> namedStreams(Node file) throws IOException {
        if (file.type() != EntryType.FILE && file.type() != EntryType.DIRECTORY) return List.of();
        return namedStreamsOf(file(file.id()), file);
    }

    /** The named streams of {@code file}, whose record is {@code f}. */
    List<NamedStream> namedStreamsOf(FileRecord f, Node file) throws IOException {
        if (file.type() != EntryType.FILE && file.type() != EntryType.DIRECTORY) return List.of();
        List<NamedStream> out = new ArrayList<>();
        boolean wofData = decompressedWof(f, reparse(f), file.type()) != null;
        for (Map.Entry<String, List<Attribute>> e : f.streams().entrySet()) {
            if (e.getKey().isEmpty() || (wofData && e.getKey().equals(WofStream.STREAM))) continue;
            out.add(new NamedStream(Names.utf8(e.getKey()), stream(f, e.getKey())));
        }
        return out;
    }

    /** The DOS attributes of record {@code id} from its $STANDARD_INFORMATION (0 when unreadable). */
    int dosAttributes(long id) throws IOException {
        StandardInformation si = file(id).standardInformation();
        return si == null ? 0 : si.fileAttributes();
    }

    /** Children of {@code dir} (for symlink resolution), parents, and case-insensitive name comparison. */
    DirectoryTree treeForLinks() throws IOException { return tree(); }

    /** The entry of {@code dir} named {@code name} ignoring case as NTFS compares names (first listed wins), or null. */
    DirEntry lookupIgnoringCase(long dir, String name) throws IOException {
        return tree().lookupIgnoringCase(dir, upcase(name), this::upcase);
    }

    /** {@code s} upper-cased with the volume's $UpCase table, as NTFS compares names. */
    String upcase(String s) {
        char[] up = upcase();
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) c[i] = up.length == 65536 ? up[c[i]] : Character.toUpperCase(c[i]);
        return new String(c);
    }

    /** The volume's $UpCase table (record 10), or empty when it cannot be read. */
    synchronized char[] upcase() {
        if (upcase != null) return upcase;
        try {
            NtfsStream s = stream(file(10), "");
            byte[] v = s.readAll(2 * 65536);
            char[] u = new char[v.length / 2];
            ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).asCharBuffer().get(u);
            upcase = u;
        } catch (IOException | ImageException e) {
            upcase = new char[0];
        }
        return upcase;
    }
}
