package io.vdetach.image.vhdx;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.CachedLayer;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.image.BlockTableImage;
import io.vdetach.image.Damage;
import io.vdetach.image.DiskImage;
import io.vdetach.image.Guid;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ImageFormat;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.ParentRuns;
import io.vdetach.image.TablePages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A VHDX ([MS-VHDX] v20180912): a 1 MiB header section (file identifier, two headers, two
 * region tables), a log, a BAT whose payload entries are interleaved with one sector bitmap
 * entry per chunk, a metadata region, and payload blocks at 1 MiB-aligned file offsets.
 *
 * <p>A header whose LogGuid is non-zero means writes may sit only in the log: the log is then
 * replayed in memory ({@link VhdxLog}) and every structure and payload byte is read through that
 * view; bytes that exist only in the log map as materialised runs. The file is never written.
 * Log entries left behind with LogGuid = 0 are stale by definition ([MS-VHDX] 2.3.3) and ignored.
 */
public final class VhdxImage extends BlockTableImage {
    public static final ImageFormat FORMAT = new ImageFormat("vhdx", s -> Confidence.certainIf(s.head(0, "vhdxfile")),
            VhdxImage::open);
    static final Guid BAT_REGION = Guid.of("2DC27766-F623-4200-9D64-115E9BFD4A08");
    static final Guid METADATA_REGION = Guid.of("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    private static final long MIB = 1L << 20;
    private static final long HEADER_SECTION = MIB;
    // [MS-VHDX] 2.2: the file identifier, the two headers and the two copies of the region table
    private static final long FILE_IDENTIFIER = 0;
    private static final long HEADER_1 = 64 * 1024, HEADER_2 = 128 * 1024;
    private static final long REGION_TABLE_1 = 192 * 1024, REGION_TABLE_2 = 256 * 1024;
    // [MS-VHDX] 2.5.1.1 / 2.5.1.2 block states
    private static final int NOT_PRESENT = 0;
    private static final int UNDEFINED = 1;
    private static final int ZERO = 2;
    private static final int UNMAPPED = 3;
    private static final int UNMAPPED_V095 = 5; // the 0.95 draft's value for UNMAPPED
    private static final int FULLY_PRESENT = 6;
    private static final int PARTIALLY_PRESENT = 7;
    private static final int SB_PRESENT = 6;

    private final Layer source;              // the file, or the file with its log replayed
    private final CachedLayer cached;        // source, for metadata reads through the image's block cache
    private final VhdxReplayedFile replayed; // null when there was no log to replay
    private final String creator;
    private final VhdxHeader header;
    private final VhdxMetadata meta;
    private final TablePages bat;
    private final long[][] reserved; // file ranges no block may overlap: header section, log, BAT, metadata
    private final long chunkRatio;

    private VhdxImage(HostFile file, VhdxReplayedFile replayed, CachedLayer cached, String creator, VhdxHeader header,
                      VhdxMetadata meta, TablePages bat, long[][] reserved, DiskImage parent, List<String> warnings) {
        super(file, parent, meta.virtualDiskSize(), meta.blockSize(), warnings);
        this.replayed = replayed;
        this.source = cached.below();
        this.cached = cached;
        this.creator = creator;
        this.header = header;
        this.meta = meta;
        this.bat = bat;
        this.reserved = reserved;
        this.chunkRatio = meta.chunkRatio();
    }

    public static VhdxImage open(HostFile file, ImageOpener opener) throws IOException {
        long fileSize = file.size();
        if (fileSize < HEADER_SECTION) {
            throw new CorruptImageException("vhdx", "header section", -1, "file of " + fileSize
                    + " bytes is smaller than the 1 MiB header section");
        }
        ByteBuffer ident = file.readBytes(0, 520);
        if (!"vhdxfile".equals(new String(ident.array(), 0, 8, StandardCharsets.ISO_8859_1))) {
            throw new CorruptImageException("vhdx", "file identifier", FILE_IDENTIFIER, "signature is not \"vhdxfile\"");
        }
        String creator = new String(ident.array(), 8, 512, StandardCharsets.UTF_16LE);
        if (creator.indexOf('\0') >= 0) creator = creator.substring(0, creator.indexOf('\0'));

        VhdxHeader header = currentHeader(file);
        List<String> warnings = new ArrayList<>();
        VhdxReplayedFile replayed = null;
        Layer source = file;
        if (!header.logGuid().isZero()) {
            replayed = VhdxLog.replay(file, header, header.at());
            source = replayed;
            fileSize = replayed.size();
            warnings.add(file.path() + ": not closed cleanly (LogGuid " + header.logGuid() + "); its log was replayed"
                    + " in memory for reading, the file is unchanged");
        }
        VhdxRegionTable regions = regionTable(source);
        VhdxRegionTable.Entry batRegion = null;
        VhdxRegionTable.Entry metaRegion = null;
        List<long[]> reserved = new ArrayList<>();
        reserved.add(new long[] {0, HEADER_SECTION});
        // LogGuid is zero, so the log holds nothing to replay; still, no block may lie inside it
        if (header.logLength() > 0 && header.logOffset() >= 0 && header.logOffset() <= fileSize) {
            reserved.add(new long[] {header.logOffset(), header.logOffset() + header.logLength()});
        }
        for (int i = 0; i < regions.entries().size(); i++) {
            VhdxRegionTable.Entry e = regions.entries().get(i);
            long entryAt = regions.at() + 16 + i * 32L;
            if (e.guid().equals(BAT_REGION)) batRegion = e;
            else if (e.guid().equals(METADATA_REGION)) metaRegion = e;
            else if (e.required()) throw new UnsupportedImageException("vhdx", "region table entry", entryAt, "required region " + e.guid());
            else continue;
            if (e.fileOffset() < HEADER_SECTION || e.fileOffset() % MIB != 0 || e.length() < 64 * 1024
                    || e.fileOffset() > fileSize || e.length() > fileSize - e.fileOffset()) {
                throw new CorruptImageException("vhdx", "region table entry", entryAt, "region " + e.guid()
                        + " at offset " + e.fileOffset() + " of " + e.length() + " bytes is misaligned or lies outside the"
                        + " file of " + fileSize + " bytes");
            }
            for (long[] r : reserved) {
                if (e.fileOffset() < r[1] && r[0] < e.fileOffset() + e.length()) {
                    throw new CorruptImageException("vhdx", "region table entry", entryAt, "region " + e.guid()
                            + " at offset " + e.fileOffset() + " overlaps the headers, the log or another region at "
                            + r[0] + ".." + r[1]);
                }
            }
            reserved.add(new long[] {e.fileOffset(), e.fileOffset() + e.length()});
        }
        if (batRegion == null || metaRegion == null) {
            throw new CorruptImageException("vhdx", "region table", regions.at(), "no " + (batRegion == null ? "BAT" : "metadata")
                    + " region");
        }
        VhdxMetadata meta = VhdxMetadata.read(source, metaRegion.fileOffset(), metaRegion.length());
        long blocks = Math.ceilDiv(meta.virtualDiskSize(), meta.blockSize());
        long ratio = meta.chunkRatio();
        long entries = meta.hasParent() ? Math.ceilDiv(blocks, ratio) * (ratio + 1)
                : blocks == 0 ? 0 : blocks + (blocks - 1) / ratio;
        if (entries * 8 > batRegion.length()) {
            throw new CorruptImageException("vhdx", "BAT", batRegion.fileOffset(), "region of " + batRegion.length()
                    + " bytes cannot hold the " + entries + " entries a " + meta.virtualDiskSize() + "-byte disk needs");
        }
        CachedLayer cached = new CachedLayer(source, 4096, opener.cache());
        TablePages bat = new TablePages(cached, batRegion.fileOffset(), entries, 8, ByteOrder.LITTLE_ENDIAN, "vhdx", "BAT");
        DiskImage parent = null;
        if (meta.hasParent()) {
            parent = VhdxParent.open(file, meta.parentLocator(), opener, warnings);
            warnings.addAll(parent.warnings());
        }
        return new VhdxImage(file, replayed, cached, creator, header, meta, bat, reserved.toArray(long[][]::new), parent, warnings);
    }

    /** The valid header with the higher sequence number ([MS-VHDX] 2.2.2.1). */
    private static VhdxHeader currentHeader(HostFile file) throws IOException {
        VhdxHeader best = null;
        List<Damage> damage = new ArrayList<>();
        for (long at : new long[] {HEADER_1, HEADER_2}) {
            ByteBuffer b = file.readBytes(at, VhdxHeader.SIZE);
            Damage d = VhdxHeader.damage(b, at);
            if (d != null) {
                damage.add(d);
                continue;
            }
            VhdxHeader h = VhdxHeader.parse(b, at);
            if (best == null || Long.compareUnsigned(h.sequenceNumber(), best.sequenceNumber()) > 0) best = h;
        }
        if (best == null) throw new CorruptImageException("vhdx", "header", HEADER_1, "both headers are invalid: " + damage);
        return best;
    }

    /** The region table, or its copy when the first is damaged ([MS-VHDX] 2.2.3). */
    private static VhdxRegionTable regionTable(Layer file) throws IOException {
        List<Damage> damage = new ArrayList<>();
        for (long at : new long[] {REGION_TABLE_1, REGION_TABLE_2}) {
            ByteBuffer b = file.readBytes(at, VhdxRegionTable.SIZE);
            Damage d = VhdxRegionTable.damage(b, at);
            if (d == null) return VhdxRegionTable.parse(b, at);
            damage.add(d);
        }
        throw new CorruptImageException("vhdx", "region table", REGION_TABLE_1, "both copies are invalid: " + damage);
    }

    @Override
    public String linkId() { return header.dataWriteGuid().toString(); }

    @Override
    public String format() { return "vhdx"; }

    @Override
    public List<ChainLink> chain() {
        String d = (meta.hasParent() ? "differencing" : meta.leaveBlocksAllocated() ? "fixed" : "dynamic")
                + ", virtual size " + meta.virtualDiskSize() + ", block size " + meta.blockSize()
                + ", logical sector " + meta.logicalSectorSize() + ", physical sector " + meta.physicalSectorSize()
                + (meta.page83() != null ? ", disk id " + meta.page83() : "")
                + ", creator \"" + creator + "\", header sequence " + header.sequenceNumber()
                + (replayed != null ? ", log replayed in memory (LogGuid " + header.logGuid() + ")" : "");
        return new ChainLink(file.path(), "vhdx", d).then(parent);
    }

    /**
     * This file's own view of a guest range ({@code super.map}: data onto {@link #source}, the
     * parent's ranges onto the parent layer itself, holes) mapped on: replayed runs onto the file
     * or the log, the parent's onto the parent's files.
     */
    @Override
    public List<Run> map(long offset, long length) throws IOException {
        List<Run> local = super.map(offset, length);
        if (replayed == null && parent == null) return local;
        List<Run> out = new ArrayList<>(local.size());
        for (Run r : local) {
            if (r instanceof Run.Mapped m && m.target() == parent) {
                ParentRuns.append(parent, out, m.start(), m.length());
            } else if (r instanceof Run.Mapped m && m.target() == replayed) {
                long pos = m.start();
                for (Run x : replayed.map(m.offset(), m.length())) {
                    ExtentMaps.appendMerging(out, x.slice(0, x.length(), pos));
                    pos += x.length();
                }
            } else {
                ExtentMaps.appendMerging(out, r);
            }
        }
        return out;
    }

    /** Bytes that exist only in the replayed log, or a materialised run passed up from the parent. */
    @Override
    protected void readMaterialised(Run.Materialise run, ByteBuffer dst) throws IOException {
        for (Run r : super.map(run.start(), run.length())) {
            int limit = dst.limit();
            dst.limit(dst.position() + (int) r.length());
            try {
                if (r instanceof Run.Mapped m) m.target().readFully(m.offset(), dst);
                else zero(dst);
            } finally {
                dst.limit(limit);
            }
        }
    }

    @Override
    protected void mapBlock(List<Run> out, long block, long blockStart, long pos, long n) throws IOException {
        long index = block + block / chunkRatio;
        long entry = bat.get(index);
        int state = (int) (entry & 7);
        switch (state) {
            case NOT_PRESENT, UNMAPPED, UNMAPPED_V095 -> appendParent(out, pos, n);
            case UNDEFINED, ZERO -> ExtentMaps.appendMerging(out, new Run.Hole(pos, n));
            case FULLY_PRESENT -> {
                long at = checkedBlock(index, entry, Math.min(meta.blockSize(), size() - blockStart));
                ExtentMaps.appendMerging(out, new Run.Mapped(pos, n, source, at + (pos - blockStart)));
            }
            case PARTIALLY_PRESENT -> {
                if (!meta.hasParent()) {
                    throw new CorruptImageException("vhdx", "BAT", bat.offsetOf(index), "block " + block
                            + " is PARTIALLY_PRESENT in a disk without parent");
                }
                long at = checkedBlock(index, entry, Math.min(meta.blockSize(), size() - blockStart));
                // [MS-VHDX] 2.4.2: bit 0 of byte 0 is the first sector
                mapBySectors(out, bitmap(block), false, meta.logicalSectorSize(), source, at, blockStart, pos, n);
            }
            default -> throw new CorruptImageException("vhdx", "BAT", bat.offsetOf(index), "block " + block
                    + " has reserved state " + state);
        }
    }

    /** The parent's ranges stay runs onto the parent layer here; {@link #map} maps them on. */
    @Override
    protected void appendParent(List<Run> out, long pos, long n) {
        long inParent = parent == null ? 0 : Math.max(0, Math.min(n, parent.size() - pos));
        if (inParent > 0) ExtentMaps.appendMerging(out, new Run.Mapped(pos, inParent, parent, pos));
        if (n > inParent) ExtentMaps.appendMerging(out, new Run.Hole(pos + inParent, n - inParent));
    }

    /** The part of the chunk's sector bitmap block that covers payload block {@code block}. */
    private byte[] bitmap(long block) throws IOException {
        long chunk = block / chunkRatio;
        long index = chunk * (chunkRatio + 1) + chunkRatio;
        long entry = bat.get(index);
        if ((entry & 7) != SB_PRESENT) {
            throw new CorruptImageException("vhdx", "BAT", bat.offsetOf(index), "sector bitmap block of chunk " + chunk
                    + " is not present (state " + (entry & 7) + ") but block " + block + " is PARTIALLY_PRESENT");
        }
        long sbAt = checkedBlock(index, entry, MIB);
        int bytes = (int) (meta.blockSize() / meta.logicalSectorSize() / 8);
        byte[] b = new byte[bytes];
        cached.readFully(sbAt + (block % chunkRatio) * bytes, ByteBuffer.wrap(b));
        return b;
    }

    /** File offset of a block entry's data, checked to lie in the file and outside every structure. */
    private long checkedBlock(long index, long entry, long needed) {
        long mb = entry >>> 20;
        long fileSize = source.size();
        long at = mb <= fileSize / MIB ? mb * MIB : Long.MAX_VALUE; // FileOffsetMB is 44 bits: avoid overflow
        long entryAt = bat.offsetOf(index);
        if (at > fileSize || needed > fileSize - at) {
            throw new CorruptImageException("vhdx", "BAT", entryAt, "block at file offset " + Long.toUnsignedString(mb) + " MiB of " + needed
                    + " bytes runs past the end of the file (" + fileSize + " bytes)");
        }
        for (long[] r : reserved) {
            if (at < r[1] && r[0] < at + needed) {
                throw new CorruptImageException("vhdx", "BAT", entryAt, "block at file offset " + at
                        + " overlaps the headers, log, BAT or metadata at " + r[0] + ".." + r[1]);
            }
        }
        return at;
    }
}
