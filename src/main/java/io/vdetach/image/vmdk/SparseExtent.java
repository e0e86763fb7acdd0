package io.vdetach.image.vmdk;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.image.Piece;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A sparse extent: a grain directory (GD) points at grain tables (GT), whose entries (GTE)
 * give the sector of each grain (spec, "Grain Directories and Grain Tables"). GTE 0 means
 * unallocated (the parent's data or zeros); GTE 1 means a zero grain when the header says so.
 * In compressed (streamOptimized) extents a GTE points at a grain marker: the grain's LBA
 * (u64), the compressed size (u32), then zlib data. Hosted sparse ("KDMV") and ESX sparse
 * ("COWD") extents differ only in their header.
 */
final class SparseExtent implements Extent {
    /** Grain directories above 4 Mi entries (16 MiB) are refused; 62 TB with 64 KiB grains needs 2 Mi. */
    static final long MAX_GD_ENTRIES = 4L << 20;
    /** A grain marker: lba (8) + compressed size (4). */
    private static final int MARKER = 12;

    private final String type;
    private final HostFile file;
    private final long size;
    private final long grainBytes;
    private final int gtes;
    private final int[] gd;
    private final boolean compressed;
    private final boolean zeroedGrainGte;
    private final boolean unclean;
    private final String facts;
    /** Sectors that hold metadata, as [start, end) pairs: header, descriptor, GD, RGD. */
    private final long[] metadata;
    /** Sorted first sectors of every grain table, each {@link #gtSectors} long. */
    private final long[] gtStarts;
    private final long gtSectors;
    /** Grain tables (keyed by sector) and decompressed grains (keyed by marker offset), in the image's block cache. */
    private final BlockCache.Region<int[]> grainTables;
    private final BlockCache.Region<byte[]> grains;

    private SparseExtent(String type, HostFile file, long size, long grainSectors, int gtes, int[] gd, boolean compressed,
            boolean zeroedGrainGte, boolean unclean, String facts, long[] metadata, BlockCache cache) {
        this.type = type;
        this.file = file;
        this.size = size;
        this.grainBytes = grainSectors * 512;
        this.gtes = gtes;
        this.gd = gd;
        this.compressed = compressed;
        this.zeroedGrainGte = zeroedGrainGte;
        this.unclean = unclean;
        this.facts = facts;
        this.metadata = metadata;
        this.gtSectors = Math.ceilDiv(4L * gtes, 512);
        this.gtStarts = Arrays.stream(gd).filter(g -> g != 0).mapToLong(Integer::toUnsignedLong).sorted().toArray();
        this.grainTables = cache.region("vmdk grain tables of " + file.path(), t -> 4L * t.length);
        this.grains = cache.region("vmdk compressed grains of " + file.path(), g -> g.length);
    }

    /** A hosted sparse extent ("KDMV"), {@code size} bytes of the disk. */
    static SparseExtent hosted(HostFile file, SparseExtentHeader h, long size, BlockCache cache) throws IOException {
        String name = file.path().toString();
        SparseExtentHeader use = h;
        long headerAt = 0;
        if (h.gdOffset() == SparseExtentHeader.GD_AT_END) {
            // streamOptimized: the header with the real GD offset is the footer, 1024 bytes before the end
            long at = file.size() - 1024;
            if (at < SparseExtentHeader.SIZE) {
                throw new CorruptImageException("vmdk", "footer", Math.max(at, 0), name + " is too short for a footer");
            }
            use = SparseExtentHeader.parse(file.readBytes(at, SparseExtentHeader.SIZE), at, name);
            headerAt = at;
            if (use.gdOffset() == SparseExtentHeader.GD_AT_END) {
                throw new CorruptImageException("vmdk", "footer", at, "footer of " + name + " has no grain directory offset");
            }
        }
        long grains = Math.ceilDiv(use.capacity(), use.grainSize());
        long gdEntries = Math.ceilDiv(grains, use.numGTEsPerGT());
        int[] gd = readGd(file, use.gdOffset(), gdEntries, "grain directory", headerAt + 12);
        long[] meta = {0, 1,
                use.descriptorOffset(), use.descriptorOffset() + use.descriptorSize(),
                use.gdOffset(), use.gdOffset() + Math.ceilDiv(4 * gdEntries, 512),
                use.rgdOffset(), use.rgdOffset() + (use.rgdOffset() == 0 ? 0 : Math.ceilDiv(4 * gdEntries, 512))};
        String facts = "hosted sparse v" + use.version() + ", grain " + use.grainSize() * 512 + " bytes"
                + (use.compressed() ? ", deflate-compressed grains" : "") + (use.markers() ? ", markers" : "")
                + (h.gdOffset() == SparseExtentHeader.GD_AT_END ? ", grain directory in footer" : "");
        return new SparseExtent("SPARSE", file, size, use.grainSize(), use.numGTEsPerGT(), gd, use.compressed(),
                use.zeroedGrainGte(), h.uncleanShutdown(), facts, meta, cache);
    }

    /** An ESX sparse extent ("COWD"). */
    static SparseExtent cowd(HostFile file, CowdHeader h, long size, BlockCache cache) throws IOException {
        long needed = Math.ceilDiv(Math.ceilDiv(h.numSectors(), h.grainSize()), CowdHeader.GTES_PER_GT);
        if (h.numGDEntries() < needed) {
            throw new CorruptImageException("vmdk", "COWD header.numGDEntries", 24, h.numGDEntries()
                    + " grain directory entries are too few for " + h.numSectors() + " sectors");
        }
        int[] gd = readGd(file, h.gdOffset(), needed, "COWD grain directory", 12);
        long[] meta = {0, 4, h.gdOffset(), h.gdOffset() + Math.ceilDiv(4 * needed, 512)};
        return new SparseExtent("VMFSSPARSE", file, size, h.grainSize(), CowdHeader.GTES_PER_GT, gd, false, false, false,
                "ESX sparse (COWD) v" + h.version() + ", grain " + h.grainSize() * 512 + " bytes", meta, cache);
    }

    /** {@code capacityAt}: the header field whose capacity sized the directory, for the message when it is absurd. */
    private static int[] readGd(HostFile file, long gdSector, long entries, String what, long capacityAt) throws IOException {
        if (entries > MAX_GD_ENTRIES) {
            throw new CorruptImageException("vmdk", what, capacityAt, file.path() + ": " + entries + " entries (at most "
                    + MAX_GD_ENTRIES + "); the capacity is absurd");
        }
        long at = gdSector * 512;
        if (gdSector <= 0 || gdSector > Long.MAX_VALUE / 512 || at > file.size() - 4 * entries) {
            throw new CorruptImageException("vmdk", what, at, file.path() + ": " + entries
                    + " entries at sector " + gdSector + " lie outside the file (" + file.size() + " bytes)");
        }
        ByteBuffer b = file.readBytes(at, (int) (4 * entries));
        int[] gd = new int[(int) entries];
        b.asIntBuffer().get(gd);
        return gd;
    }


    @Override public long size() { return size; }

    @Override public HostFile file() { return file; }

    boolean uncleanShutdown() { return unclean; }

    boolean compressed() { return compressed; }

    @Override
    public String detail() { return type + " " + size / 512 + " sectors, " + facts; }

    @Override
    public Piece classify(long pos, long limit) throws IOException {
        long grain = pos / grainBytes;
        long gdi = grain / gtes;
        int gti = (int) (grain % gtes);
        if (gdi >= gd.length) return Piece.parent(limit);
        long gtSector = Integer.toUnsignedLong(gd[(int) gdi]);
        long grainStart = grain * grainBytes;
        if (gtSector == 0) return Piece.parent(Math.min(limit, (gdi + 1) * gtes * grainBytes));
        int[] gt = grainTable(gtSector, gdi);
        long gte = Integer.toUnsignedLong(gt[gti]);
        long grainEnd = Math.min(limit, grainStart + grainBytes);
        if (gte == 0) return Piece.parent(grainEnd);
        if (gte == 1 && zeroedGrainGte) return Piece.zero(grainEnd);
        long entryAt = gtSector * 512 + 4L * gti;
        long host = gte * 512;
        if (host >= file.size() || inMetadata(gte)) {
            throw new CorruptImageException("vmdk", "grain table entry", entryAt, file.path() + ": grain at sector " + gte
                    + " lies in metadata or past the end of the file (" + file.size() + " bytes)");
        }
        if (compressed) return new Piece(Piece.Kind.COMPRESSED, grainEnd, file, host, 0);
        return Piece.data(pos, grainEnd, file, host + (pos - grainStart)); // a last grain may be cut short by the file's end
    }

    private boolean inMetadata(long sector) {
        for (int i = 0; i < metadata.length; i += 2) {
            if (sector >= metadata[i] && sector < metadata[i + 1]) return true;
        }
        int i = Arrays.binarySearch(gtStarts, sector);
        if (i < 0) i = -i - 2;
        return i >= 0 && sector < gtStarts[i] + gtSectors;
    }

    private int[] grainTable(long gtSector, long gdi) throws IOException {
        return grainTables.get(gtSector, s -> readGrainTable(s, gdi));
    }

    private int[] readGrainTable(long gtSector, long gdi) throws IOException {
        long at = gtSector * 512;
        if (at > file.size() - 4L * gtes) {
            throw new CorruptImageException("vmdk", "grain directory entry " + gdi, at, file.path()
                    + ": grain table at sector " + gtSector + " lies past the end of the file (" + file.size() + " bytes)");
        }
        ByteBuffer b = file.readBytes(at, 4 * gtes);
        int[] t = new int[gtes];
        b.asIntBuffer().get(t);
        return t;
    }

    /** The decoded bytes of the compressed grain holding extent offset {@code pos}, whose marker is at {@code host}. */
    byte[] grain(long pos, long host) throws IOException {
        return grains.get(host, at -> inflate(pos, at));
    }

    private byte[] inflate(long pos, long host) throws IOException {
        long grain = pos / grainBytes;
        if (host > file.size() - MARKER) {
            throw new CorruptImageException("vmdk", "grain marker", host, file.path() + ": past the end of the file");
        }
        ByteBuffer m = file.readBytes(host, MARKER).order(ByteOrder.LITTLE_ENDIAN);
        long lba = m.getLong(0);
        long csize = Integer.toUnsignedLong(m.getInt(8));
        long maxCompressed = 2 * grainBytes + 4096; // deflate never grows data by more than a few bytes per 16 KiB
        if (lba != grain * (grainBytes / 512) || csize == 0 || csize > maxCompressed || csize > file.size() - host - MARKER) {
            throw new CorruptImageException("vmdk", "grain marker", host, file.path() + ": lba " + lba + " (expected "
                    + grain * (grainBytes / 512) + "), compressed size " + csize);
        }
        ByteBuffer in = file.readBytes(host + MARKER, (int) csize);
        byte[] g = new byte[(int) grainBytes];
        long want = Math.min(grainBytes, size - grain * grainBytes);
        Inflater inf = new Inflater();
        try {
            inf.setInput(in.array());
            int n = 0;
            while (n < g.length) {
                int k = inf.inflate(g, n, g.length - n);
                if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            if (n < want) {
                throw new CorruptImageException("vmdk", "compressed grain", host, file.path() + ": inflates to " + n
                        + " of " + want + " bytes");
            }
        } catch (DataFormatException e) {
            throw new CorruptImageException("vmdk", "compressed grain", host, file.path() + ": bad zlib data: " + e.getMessage());
        } finally {
            inf.end();
        }
        return g;
    }

    long grainBytes() { return grainBytes; }
}
