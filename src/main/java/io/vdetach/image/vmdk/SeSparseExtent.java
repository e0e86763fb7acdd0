package io.vdetach.image.vmdk;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.image.Piece;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An SESparse extent: a grain directory of u64 entries (top 32 bits 0x10000000 and a grain table
 * index, or 0 for a table not allocated) points at grain tables of 4096 u64 entries. A grain
 * table entry's top nibble says what the 4 KiB grain is: 0 not allocated (the parent's), 1
 * unmapped and 2 zero (zeros), 3 allocated, its grain number in the other 60 bits (bits 48-59 low,
 * bits 0-47 high, as QEMU's VMDK driver decodes them) counted from the grains region.
 */
final class SeSparseExtent implements Extent {
    private static final int GT_ENTRIES = SeSparseHeader.GT_SECTORS * 512 / 8;
    private static final long GRAIN_BYTES = SeSparseHeader.GRAIN_SECTORS * 512L;

    private final HostFile file;
    private final SeSparseHeader h;
    private final long size;
    private final long[] gd;
    private final BlockCache.Region<long[]> tables;

    private SeSparseExtent(HostFile file, SeSparseHeader h, long size, long[] gd, BlockCache cache) {
        this.file = file;
        this.h = h;
        this.size = size;
        this.gd = gd;
        this.tables = cache.region("vmdk SESparse grain tables of " + file.describe(), t -> 8L * t.length);
    }

    static SeSparseExtent open(HostFile file, long size, BlockCache cache) throws IOException {
        String name = file.describe();
        SeSparseHeader h = SeSparseHeader.parse(file.readBytes(0, 512), file.size(), name);
        ByteBuffer v = file.readBytes(h.volatileHeader() * 512, 32).order(ByteOrder.LITTLE_ENDIAN);
        if (v.getLong(0) != SeSparseHeader.VOLATILE_MAGIC) {
            throw new CorruptImageException("vmdk", "SESparse volatile header magic", h.volatileHeader() * 512, name
                    + ": no volatile header");
        }
        if (v.getLong(24) != 0) {
            throw new UnsupportedImageException("vmdk", "SESparse volatile header replay_journal", h.volatileHeader() * 512 + 24,
                    "an SESparse journal waiting to be replayed (" + name + ")");
        }
        long needed = Math.ceilDiv(h.capacity(), (long) SeSparseHeader.GRAIN_SECTORS * GT_ENTRIES);
        if (needed * 8 > h.gdSize() * 512) {
            throw new CorruptImageException("vmdk", "SESparse header grain directory size", 136, name + ": " + h.gdSize()
                    + " sectors of grain directory are too few for " + h.capacity() + " sectors");
        }
        long[] gd = new long[(int) needed];
        file.readBytes(h.gdOffset() * 512, (int) (8 * needed)).asLongBuffer().get(gd);
        return new SeSparseExtent(file, h, size, gd, cache);
    }

    @Override public long size() { return size; }

    @Override public HostFile file() { return file; }

    @Override
    public String detail() {
        return "SESPARSE " + size / 512 + " sectors, 4 KiB grains, " + gd.length + " grain directory entries";
    }

    @Override
    public Piece classify(long pos, long limit) throws IOException {
        long grain = pos / GRAIN_BYTES;
        int gdi = (int) (grain / GT_ENTRIES);
        int gti = (int) (grain % GT_ENTRIES);
        long tableEnd = Math.min(limit, (gdi + 1L) * GT_ENTRIES * GRAIN_BYTES);
        if (pos >= h.capacity() * 512) return Piece.parent(limit);
        long gde = gd[gdi];
        long gdeAt = h.gdOffset() * 512 + 8L * gdi;
        if (gde == 0) return Piece.parent(tableEnd);
        long index = gde & 0xffffffffL;
        if ((gde >>> 32) != 0x10000000L || index >= h.gtSize() * 512 / (GT_ENTRIES * 8L)) {
            throw new CorruptImageException("vmdk", "SESparse grain directory entry " + gdi, gdeAt, String.format(
                    "%s: entry %#x names no grain table", file.describe(), gde));
        }
        long[] gt = tables.get(index, this::table);
        long gte = gt[gti];
        long grainEnd = Math.min(limit, (grain + 1) * GRAIN_BYTES);
        long gteAt = h.gtOffset() * 512 + index * GT_ENTRIES * 8 + 8L * gti;
        switch ((int) (gte >>> 60)) {
            case 0 -> {
                if (gte != 0) throw bad(gteAt, gte);
                return Piece.parent(grainEnd);
            }
            case 1, 2 -> {
                return Piece.zero(grainEnd);
            }
            case 3 -> {
                long n = ((gte & 0x0fff000000000000L) >>> 48) | ((gte & 0x0000ffffffffffffL) << 12);
                long sector = h.grainsOffset() + n * SeSparseHeader.GRAIN_SECTORS;
                if (n > (Long.MAX_VALUE / 512 - h.grainsOffset()) / SeSparseHeader.GRAIN_SECTORS || sector * 512 >= file.size()) {
                    throw new CorruptImageException("vmdk", "SESparse grain table entry", gteAt, file.describe() + ": grain " + n
                            + " lies past the end of the file (" + file.size() + " bytes)");
                }
                return Piece.data(pos, grainEnd, file, sector * 512 + (pos - grain * GRAIN_BYTES));
            }
            default -> throw bad(gteAt, gte);
        }
    }

    private CorruptImageException bad(long at, long gte) {
        return new CorruptImageException("vmdk", "SESparse grain table entry", at, String.format("%s: entry %#x has an"
                + " unknown type", file.describe(), gte));
    }

    private long[] table(long index) throws IOException {
        long[] t = new long[GT_ENTRIES];
        file.readBytes((h.gtOffset() * 512) + index * GT_ENTRIES * 8, GT_ENTRIES * 8).asLongBuffer().get(t);
        return t;
    }
}
