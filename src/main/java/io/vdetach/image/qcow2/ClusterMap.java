package io.vdetach.image.qcow2;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.CachedLayer;
import io.vdetach.extent.HostFile;
import io.vdetach.image.Piece;
import io.vdetach.image.TablePages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The cluster mapping of one qcow2 layer (the active one or an internal snapshot): the L1
 * table and the L2 tables, both read on demand into the image's block cache, and the decoding of
 * L2 entries (spec, "Cluster mapping", "Extended L2 Entries", "Compressed Clusters Descriptor"),
 * with every host offset checked before it is used.
 */
final class ClusterMap {
    /** QEMU's QCOW_MAX_L1_SIZE (32 MiB of entries): larger L1 tables are refused. */
    static final int MAX_L1_ENTRIES = (32 << 20) / 8;

    private final HostFile file;
    private final HostFile dataFile;
    private final boolean extendedL2;
    private final long l1Offset;
    private final TablePages l1;
    private final int clusterBits;
    private final long clusterSize;
    private final int l2Bits;
    private final int subclusterBits;
    private final BlockCache.Region<long[]> l2Tables;

    private ClusterMap(HostFile file, HostFile dataFile, Qcow2Header header, long l1Offset, TablePages l1,
            BlockCache.Region<long[]> l2Tables) {
        this.file = file;
        this.dataFile = dataFile;
        this.extendedL2 = header.extendedL2();
        this.l1Offset = l1Offset;
        this.l1 = l1;
        this.clusterBits = header.clusterBits();
        this.clusterSize = header.clusterSize();
        this.l2Bits = clusterBits - (extendedL2 ? 4 : 3);
        this.subclusterBits = clusterBits - 5;
        this.l2Tables = l2Tables;
    }

    /**
     * Checks the L1 table of {@code l1Size} entries at {@code l1Offset} for a disk of {@code size} bytes;
     * {@code l1SizeAt} is where the header or snapshot entry stores l1_size; the entries are read through {@code meta}, the L2 tables cached in {@code l2Tables} (keyed by offset).
     */
    static ClusterMap read(CachedLayer meta, HostFile file, HostFile dataFile, Qcow2Header h, long size, long l1Offset,
            int l1Size, long l1SizeAt, BlockCache.Region<long[]> l2Tables) {
        int entryBits = h.extendedL2() ? 4 : 3;
        int spanBits = h.clusterBits() + h.clusterBits() - entryBits; // guest bytes per L2 table
        long needed = spanBits >= 63 ? (size > 0 ? 1 : 0) : (size + (1L << spanBits) - 1) >>> spanBits;
        if (needed > MAX_L1_ENTRIES) {
            throw UnsupportedImageException.because("qcow2", "virtual size " + size + " bytes needs " + needed
                    + " L1 entries, more than QEMU's limit of " + MAX_L1_ENTRIES + "; refusing the image " + file.path());
        }
        if (l1Size < 0 || l1Size > MAX_L1_ENTRIES) {
            throw new CorruptImageException("qcow2", "l1_size", l1SizeAt, "l1_size " + Integer.toUnsignedString(l1Size)
                    + " exceeds " + MAX_L1_ENTRIES);
        }
        if (l1Size < needed) {
            throw new CorruptImageException("qcow2", "L1 table", l1Offset, "l1_size " + l1Size
                    + " is too small for the virtual size " + size + " (needs " + needed + ")");
        }
        if (l1Size > 0 && (l1Offset <= 0 || l1Offset % h.clusterSize() != 0 || l1Offset > file.size() - 8L * l1Size)) {
            throw new CorruptImageException("qcow2", "L1 table", l1Offset, l1Size + " entries at offset " + l1Offset
                    + " are unaligned, in the header, or past the end of the file (" + file.size() + " bytes)");
        }
        TablePages l1 = new TablePages(meta, l1Offset, l1Size, 8, ByteOrder.BIG_ENDIAN, "qcow2", "L1 table");
        return new ClusterMap(file, dataFile, h, l1Offset, l1, l2Tables);
    }

    /**
     * What guest bytes from {@code pos} are, up to where the answer changes: for DATA, {@code host}
     * is the data file offset of {@code pos}; for COMPRESSED, {@code host} and {@code length} locate
     * the compressed bytes of the cluster holding {@code pos}.
     */
    Piece classify(long pos, long limit) throws IOException {
        long cluster = pos >>> clusterBits;
        long l1i = cluster >>> l2Bits;
        long l2SpanEnd = (l1i + 1) << (clusterBits + l2Bits);
        if (l1i >= l1.entries()) return Piece.parent(Math.min(limit, l2SpanEnd));
        long l2Offset = l1.get(l1i) & L2Entry.L1_OFFSET_MASK;
        if (l2Offset == 0) return Piece.parent(Math.min(limit, l2SpanEnd));
        long[] l2 = l2Table(l2Offset, l1Offset + 8 * l1i);
        boolean ext = extendedL2;
        int idx = (int) (cluster & ((1L << l2Bits) - 1));
        long e = l2[ext ? 2 * idx : idx];
        long entryAt = l2Offset + (long) idx * (ext ? 16 : 8);
        long clusterStart = cluster << clusterBits;
        long clusterEnd = Math.min(limit, clusterStart + clusterSize);
        if ((e & L2Entry.COMPRESSED) != 0) return compressedPiece(e, entryAt, clusterEnd);
        long host = e & L2Entry.OFFSET_MASK;
        boolean allocated = host != 0 || (dataFile != file && (e & L2Entry.COPIED) != 0);
        if (!ext) {
            if ((e & L2Entry.ZERO) != 0) return Piece.zero(clusterEnd);
            if (!allocated) return Piece.parent(clusterEnd);
            checkHost(host, entryAt);
            return Piece.data(pos, clusterEnd, dataFile, host + (pos - clusterStart));
        }
        long bitmap = l2[2 * idx + 1];
        int allocBits = (int) bitmap;
        int zeroBits = (int) (bitmap >>> 32);
        if ((allocBits & zeroBits) != 0) {
            throw new CorruptImageException("qcow2", "extended L2 entry", entryAt + 8, String.format(
                    "subclusters 0x%08x are both allocated and zero", allocBits & zeroBits));
        }
        if (!allocated && allocBits != 0) {
            throw new CorruptImageException("qcow2", "extended L2 entry", entryAt, "unallocated cluster has allocated subclusters");
        }
        if (allocated) checkHost(host, entryAt);
        int sc = (int) ((pos - clusterStart) >>> subclusterBits);
        int state = state(allocBits, zeroBits, sc);
        int last = sc;
        while (last + 1 < L2Entry.SUBCLUSTERS && state(allocBits, zeroBits, last + 1) == state) last++;
        long pieceEnd = Math.min(clusterEnd, clusterStart + ((long) (last + 1) << subclusterBits));
        return switch (state) {
            case 1 -> Piece.data(pos, pieceEnd, dataFile, host + (pos - clusterStart));
            case 2 -> Piece.zero(pieceEnd);
            default -> Piece.parent(pieceEnd);
        };
    }

    private static int state(int alloc, int zero, int sc) {
        return ((alloc >>> sc) & 1) | (((zero >>> sc) & 1) << 1);
    }

    private Piece compressedPiece(long e, long entryAt, long end) {
        if (dataFile != file) {
            throw new CorruptImageException("qcow2", "L2 entry", entryAt, "compressed cluster in an image with an external data file");
        }
        int x = L2Entry.compressedOffsetBits(clusterBits);
        long coff = e & ((1L << x) - 1);
        long sectors = ((e & ~(L2Entry.COPIED | L2Entry.COMPRESSED)) >>> x) + 1;
        long clen = sectors * 512 - (coff & 511);
        if (coff < clusterSize || coff >= file.size()) {
            throw new CorruptImageException("qcow2", "L2 entry", entryAt, "compressed cluster at " + coff
                    + " lies in the header or past the end of the file (" + file.size() + " bytes)");
        }
        clen = Math.min(clen, file.size() - coff);
        return new Piece(Piece.Kind.COMPRESSED, end, file, coff, (int) clen);
    }

    private void checkHost(long host, long entryAt) {
        if ((host & (clusterSize - 1)) != 0) {
            throw new CorruptImageException("qcow2", "L2 entry", entryAt, "host cluster offset " + host + " is not cluster-aligned");
        }
        if (dataFile != file) return;
        if (host < clusterSize) {
            throw new CorruptImageException("qcow2", "L2 entry", entryAt, "data cluster points into the header");
        }
        if (host < l1Offset + 8L * l1.entries() && host + clusterSize > l1Offset) {
            throw new CorruptImageException("qcow2", "L2 entry", entryAt, "data cluster at " + host + " overlaps the L1 table");
        }
        if (host >= file.size()) {
            throw new CorruptImageException("qcow2", "L2 entry", entryAt, "data cluster at " + host
                    + " is past the end of the file (" + file.size() + " bytes)");
        }
    }

    private long[] l2Table(long l2Offset, long l1EntryAt) throws IOException {
        return l2Tables.get(l2Offset, at -> readL2(at, l1EntryAt));
    }

    private long[] readL2(long l2Offset, long l1EntryAt) throws IOException {
        if ((l2Offset & (clusterSize - 1)) != 0 || l2Offset < clusterSize || l2Offset > file.size() - clusterSize) {
            throw new CorruptImageException("qcow2", "L1 entry", l1EntryAt, "L2 table at " + l2Offset
                    + " is unaligned, in the header, or past the end of the file (" + file.size() + " bytes)");
        }
        if (l2Offset < l1Offset + 8L * l1.entries() && l2Offset + clusterSize > l1Offset) {
            throw new CorruptImageException("qcow2", "L1 entry", l1EntryAt, "L2 table at " + l2Offset + " overlaps the L1 table");
        }
        ByteBuffer b = ByteBuffer.allocate((int) clusterSize).order(ByteOrder.BIG_ENDIAN);
        file.readFully(l2Offset, b);
        b.flip();
        long[] t = new long[(int) (clusterSize / 8)];
        b.asLongBuffer().get(t);
        return t;
    }
}
