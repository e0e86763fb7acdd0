package io.vdetach.image.qcow2;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.error.UsageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.CachedLayer;
import io.vdetach.extent.HostFile;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ImageFormat;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.NamingField;
import io.vdetach.image.Piece;
import io.vdetach.image.PiecewiseImage;
import io.vdetach.image.Snapshots;
import io.vdetach.image.raw.RawImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A qcow2 image (QEMU docs/interop/qcow2.txt), versions 2 and 3: a two-level table (L1 &rarr;
 * L2 &rarr; cluster) maps each guest cluster to a host cluster, a zero cluster, a compressed
 * cluster, or nothing (then the backing file, or zeros). Extended L2 entries split a cluster
 * into 32 subclusters with their own allocation and zero bits. Data may live in an external
 * data file. An internal snapshot is read by using its L1 table instead of the active one.
 */
public final class Qcow2Image extends PiecewiseImage {
    public static final ImageFormat FORMAT = new ImageFormat("qcow2", s -> Confidence.certainIf(s.head(0, "QFI\373")),
            Qcow2Image::open);
    /** QEMU refuses backing file names longer than 1023 bytes. */
    static final int MAX_BACKING_NAME = 1023;

    private final HostFile file;
    private final CachedLayer meta;
    private final Qcow2Header header;
    private final HeaderExtensions extensions;
    private final List<Snapshot> snapshots;
    private final Snapshot snapshot;
    private final long size;
    private final ClusterMap clusters;
    private final HostFile dataFile;
    private final String backingName;
    private final BlockCache.Region<long[]> l2Tables;
    private final BlockCache.Region<byte[]> decompressed;

    /** The active layer when {@code snapshot} is null, else that internal snapshot: both share the files. */
    private Qcow2Image(HostFile file, CachedLayer meta, Qcow2Header header, HeaderExtensions extensions,
            List<Snapshot> snapshots, Snapshot snapshot, HostFile dataFile, String backingName, DiskImage backing,
            BlockCache.Region<long[]> l2Tables, BlockCache.Region<byte[]> decompressed) {
        super(backing);
        this.file = file;
        this.meta = meta;
        this.header = header;
        this.extensions = extensions;
        this.snapshots = snapshots;
        this.snapshot = snapshot;
        this.size = snapshot == null ? header.size() : snapshot.size();
        this.dataFile = dataFile;
        this.backingName = backingName;
        this.l2Tables = l2Tables;
        this.decompressed = decompressed;
        this.clusters = snapshot == null
                ? ClusterMap.read(meta, file, dataFile, header, size, header.l1TableOffset(), header.l1Size(), 36, l2Tables)
                : ClusterMap.read(meta, file, dataFile, header, size, snapshot.l1TableOffset(), snapshot.l1Size(),
                        snapshot.at() + 8, l2Tables);
    }

    public static Qcow2Image open(HostFile file, ImageOpener opener) throws IOException {
        ByteBuffer first = ByteBuffer.allocate(Qcow2Header.PARSE_LENGTH);
        file.read(0, first);
        Qcow2Header h = Qcow2Header.parse(first.clear(), 0, file.size());
        int headerBytes = (int) Math.min(h.clusterSize(), file.size());
        ByteBuffer cluster = ByteBuffer.allocate((int) h.clusterSize());
        file.readFully(0, cluster.limit(headerBytes));
        cluster.clear();
        HeaderExtensions ext = HeaderExtensions.parse(cluster, h.extensionsStart());
        checkFeatures(h, ext);
        List<Snapshot> snaps = Snapshot.readTable(file, h);

        HostFile dataFile = file;
        DiskImage backing = null;
        boolean ok = false;
        try {
            if (h.externalDataFile()) {
                if (ext.dataFileName() == null) {
                    throw new CorruptImageException("qcow2", "header extension", h.extensionsStart(),
                            "external data file bit set but no data file name extension");
                }
                dataFile = opener.openFile(opener.locate(file.path(), ext.dataFileName(),
                        new NamingField("qcow2", "external data file name", ext.dataFileNameAt())));
            }
            String backingName = backingName(file, h);
            if (backingName != null) backing = openBacking(file, opener, backingName, h.backingFileOffset(), ext.backingFormat());
            BlockCache cache = opener.cache();
            Qcow2Image img = new Qcow2Image(file, new CachedLayer(file, 4096, cache), h, ext, snaps, null, dataFile,
                    backingName, backing, cache.region("qcow2 L2 tables of " + file.path(), t -> 8L * t.length),
                    cache.region("qcow2 compressed clusters of " + file.path(), c -> c.length));
            ok = true;
            return img;
        } finally {
            if (!ok) {
                if (dataFile != file) dataFile.close();
                if (backing != null) backing.close();
            }
        }
    }

    /** This image read at internal snapshot {@code wanted} (its id, else its name); it shares this image's files. */
    private Qcow2Image atSnapshot(String wanted) {
        Snapshot s = snapshots.stream().filter(x -> x.id().equals(wanted)).findFirst()
                .or(() -> snapshots.stream().filter(x -> x.name().equals(wanted)).findFirst())
                .orElseThrow(() -> new UsageException("--snapshot: " + file.path() + " has no internal snapshot \""
                        + wanted + "\" (by id or name); it has " + (snapshots.isEmpty() ? "none"
                        : snapshots.stream().map(x -> x.id() + " \"" + x.name() + "\"").toList())));
        return new Qcow2Image(file, meta, header, extensions, snapshots, s, dataFile, backingName, parent, l2Tables,
                decompressed);
    }

    @Override
    public Optional<Snapshots> snapshots() {
        return Optional.of(new Snapshots(snapshots.stream().map(s -> new Snapshots.Entry(s.id(), s.name(), s.size(), s.date()))
                .toList(), this::atSnapshot));
    }

    private static void checkFeatures(Qcow2Header h, HeaderExtensions ext) {
        if (h.cryptMethod() != 0 || ext.hasCryptoHeader()) {
            String method = switch (h.cryptMethod()) {
                case 1 -> "AES";
                case 2 -> "LUKS";
                default -> Integer.toUnsignedString(h.cryptMethod());
            };
            throw UnsupportedImageException.because("qcow2", "encrypted qcow2 (method " + method + ") is not supported");
        }
        long unknown = h.incompatibleFeatures() & ~Qcow2Header.INCOMPAT_KNOWN;
        if (unknown != 0) {
            List<String> names = new ArrayList<>();
            for (int bit = 0; bit < 64; bit++) {
                if ((unknown & (1L << bit)) != 0) {
                    String n = ext.incompatibleNames().get(bit);
                    names.add("bit " + bit + (n == null || n.isEmpty() ? "" : " \"" + n + "\""));
                }
            }
            throw new UnsupportedImageException("qcow2", "header.incompatible_features", 72, "incompatible feature "
                    + String.join(", ", names));
        }
        if (h.compressionType() > ClusterDecompressor.ZSTD) {
            throw new UnsupportedImageException("qcow2", "header.compression_type", 104, "compression type " + h.compressionType());
        }
        if (h.extendedL2() && h.clusterBits() < 14) {
            // spec: subclusters are cluster_size / 32 and must be at least 512 bytes
            throw new CorruptImageException("qcow2", "header.cluster_bits", 20, "extended L2 entries need clusters"
                    + " of at least 16 KiB, not " + h.clusterSize());
        }
    }

    private static String backingName(HostFile file, Qcow2Header h) throws IOException {
        if (h.backingFileOffset() == 0) return null;
        int n = h.backingFileSize();
        if (n < 0 || n > MAX_BACKING_NAME) {
            throw new CorruptImageException("qcow2", "header.backing_file_size", 16, "backing file name of "
                    + Integer.toUnsignedString(n) + " bytes (at most " + MAX_BACKING_NAME + ")");
        }
        if (n == 0) return null;
        long at = h.backingFileOffset();
        if (at < 0 || at > file.size() - n) {
            throw new CorruptImageException("qcow2", "backing file name", at, "runs past the end of the file");
        }
        ByteBuffer b = file.readBytes(at, n);
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    private static DiskImage openBacking(HostFile file, ImageOpener opener, String name, long nameAt, String format)
            throws IOException {
        if (name.contains("://") || name.startsWith("json:") || name.matches("^[a-z+]+:[^/].*")) {
            throw UnsupportedImageException.because("qcow2", "backing file \"" + name + "\" of " + file.path()
                    + " is not a local file, which is not supported");
        }
        // The header says raw: read it as raw even if it looks like another format (as QEMU does).
        return opener.openParent(opener.locate(file.path(), name, new NamingField("qcow2", "backing file name", nameAt)),
                "raw".equals(format) ? RawImage.FORMAT : null);
    }

    @Override
    public String format() { return "qcow2"; }

    @Override
    public long size() { return size; }

    @Override
    public String describe() { return file.path().toString(); }

    @Override
    public List<ChainLink> chain() {
        List<ChainLink> out = new ArrayList<>();
        StringBuilder d = new StringBuilder();
        d.append(header.version() == 2 ? "v2 (compat 0.10)" : "v3 (compat 1.1)");
        d.append(", cluster ").append(header.clusterSize()).append(" bytes, virtual size ").append(size);
        if (header.compressionType() != 0) d.append(", compression zstd");
        if (header.extendedL2()) d.append(", extended L2 (32 subclusters)");
        if (!snapshots.isEmpty()) d.append(", ").append(snapshots.size()).append(" internal snapshot(s)");
        if (snapshot != null) d.append(", reading snapshot ").append(snapshot.id()).append(" \"").append(snapshot.name()).append('"');
        if (header.dirty()) d.append(", dirty");
        if (header.corruptBit()) d.append(", corrupt bit set");
        if (dataFile != file) d.append(", external data file \"").append(extensions.dataFileName()).append('"')
                .append(header.dataFileRaw() ? " (raw)" : "");
        if (backingName != null) {
            d.append(", backing file \"").append(backingName).append('"');
            if (extensions.backingFormat() != null) d.append(" (").append(extensions.backingFormat()).append(')');
        }
        out.add(new ChainLink(file.path(), "qcow2", d.toString()));
        if (dataFile != file) out.add(new ChainLink(dataFile.path(), "raw", "external data file of " + file.path().getFileName()));
        if (parent != null) out.addAll(parent.chain());
        return List.copyOf(out);
    }

    @Override
    public List<Path> ownFiles() {
        return dataFile == file ? List.of(file.path()) : List.of(file.path(), dataFile.path());
    }

    @Override
    public List<String> warnings() {
        List<String> w = new ArrayList<>();
        if (header.dirty()) {
            w.add(file.path() + ": qcow2 dirty bit set (not closed cleanly); refcounts may be stale, data is read through L1/L2");
        }
        if (header.corruptBit()) {
            w.add(file.path() + ": qcow2 corrupt bit set: QEMU found inconsistent metadata; what is read may be wrong");
        }
        if (parent != null) w.addAll(parent.warnings());
        return List.copyOf(w);
    }

    @Override
    public void close() throws IOException {
        try {
            if (parent != null) parent.close();
        } finally {
            try {
                if (dataFile != file) dataFile.close();
            } finally {
                file.close();
            }
        }
    }

    @Override
    protected Piece classify(long pos, long limit) throws IOException {
        return clusters.classify(pos, limit);
    }

    @Override
    protected void readCompressed(Piece p, long pos, ByteBuffer dst) throws IOException {
        dst.put(cluster(p), (int) (pos & (header.clusterSize() - 1)), dst.remaining());
    }

    @Override
    protected String compressedReason() {
        return "compressed qcow2 cluster (" + ClusterDecompressor.name(header.compressionType()) + ")";
    }

    private byte[] cluster(Piece p) throws IOException {
        return decompressed.get(p.host(), at -> {
            ByteBuffer in = ByteBuffer.allocate(p.length());
            file.readFully(at, in);
            return ClusterDecompressor.decompress(header.compressionType(), in.array(), (int) header.clusterSize(),
                    file.path().toString(), at);
        });
    }
}
