package io.vdetach.image.vmdk;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.ImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ImageFormat;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.Located;
import io.vdetach.image.NamingField;
import io.vdetach.image.Piece;
import io.vdetach.image.PiecewiseImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VMDK (VMware "Virtual Disk Format 1.1"): a text descriptor, embedded in a hosted sparse
 * file or in a small file of its own, lists extents (FLAT, VMFS, SPARSE, VMFSSPARSE, ZERO)
 * that lie end to end in the virtual disk. A snapshot names its parent with
 * parentFileNameHint; grains it does not hold come from the parent.
 */
public final class VmdkImage extends PiecewiseImage {
    public static final ImageFormat FORMAT = new ImageFormat("vmdk", s -> Confidence.certainIf(s.head(0, "KDMV")
            || s.head(0, "COWD") || s.head(0, "# Disk DescriptorFile") || s.head(0, "\u00be\u00ba\u00fe\u00ca\0\0\0\0")),
            VmdkImage::open);
    private final HostFile file;
    private final Descriptor descriptor;
    private final List<Extent> extents;
    private final long[] starts;
    private final long size;
    private final Map<Path, HostFile> files;
    private final List<String> warnings;

    private VmdkImage(HostFile file, Descriptor descriptor, List<Extent> extents, Map<Path, HostFile> files,
            DiskImage parent, List<String> warnings) {
        super(parent);
        this.file = file;
        this.descriptor = descriptor;
        this.extents = extents;
        this.files = files;
        this.warnings = warnings;
        this.starts = new long[extents.size()];
        long pos = 0;
        for (int i = 0; i < extents.size(); i++) {
            starts[i] = pos;
            pos += extents.get(i).size();
        }
        this.size = pos;
    }

    public static VmdkImage open(HostFile file, ImageOpener opener) throws IOException {
        String name = file.path().toString();
        ByteBuffer head = ByteBuffer.allocate(SparseExtentHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        file.read(0, head);
        head.flip();
        int magic = head.limit() >= 4 ? head.getInt(0) : 0;
        Map<Path, HostFile> files = new LinkedHashMap<>();
        files.put(file.path(), file);
        List<String> warnings = new ArrayList<>();
        DiskImage parent = null;
        boolean ok = false;
        try {
            Descriptor d;
            List<Extent> extents = new ArrayList<>();
            if (magic == SparseExtentHeader.MAGIC) {
                SparseExtentHeader h = SparseExtentHeader.parse(head, 0, name);
                SparseExtent e = SparseExtent.hosted(file, h, Math.multiplyExact(h.capacity(), 512L), opener.cache());
                if (e.uncleanShutdown()) warnings.add(name + ": unclean shutdown flag set");
                if (h.descriptorOffset() == 0 || h.descriptorSize() == 0) {
                    // a bare sparse extent (e.g. disk-s001.vmdk opened directly): one extent, no parent
                    return new VmdkImage(file, null, List.of(e), files, null, List.copyOf(warnings));
                }
                if (h.descriptorSize() > Descriptor.MAX_BYTES / 512 || h.descriptorOffset() > (file.size() - 512) / 512) {
                    throw new CorruptImageException("vmdk", "sparse extent header.descriptorSize", 36, name + ": descriptor of "
                            + h.descriptorSize() + " sectors at sector " + h.descriptorOffset()
                            + " is larger than " + Descriptor.MAX_BYTES + " bytes or outside the file");
                }
                long at = h.descriptorOffset() * 512;
                int len = (int) Math.min(h.descriptorSize() * 512, file.size() - at);
                d = Descriptor.parse(text(file.readBytes(at, len)), name, at, true);
                // An embedded descriptor describes this file itself (monolithicSparse, streamOptimized): its
                // extent line may carry a stale name (a renamed file), so the file is the one extent, as in QEMU.
                extents.add(e);
            } else if (head.limit() >= 8 && head.getLong(0) == SeSparseHeader.MAGIC) {
                // a bare SESparse extent (a snapshot delta opened without its descriptor): one extent, no parent
                SeSparseHeader h = SeSparseHeader.parse(head, file.size(), name);
                return new VmdkImage(file, null, List.of(SeSparseExtent.open(file, Math.multiplyExact(h.capacity(), 512L),
                        opener.cache())), files, null, List.of());
            } else if (magic == CowdHeader.MAGIC) {
                CowdHeader h = CowdHeader.parse(head, 0, name);
                return new VmdkImage(file, null, List.of(SparseExtent.cowd(file, h, h.numSectors() * 512, opener.cache())), files,
                        null, List.of());
            } else {
                if (file.size() > Descriptor.MAX_BYTES) {
                    throw new CorruptImageException("vmdk", "descriptor", -1, name + " is " + file.size()
                            + " bytes, larger than a descriptor may be (" + Descriptor.MAX_BYTES + ")");
                }
                d = Descriptor.parse(text(file.readBytes(0, (int) file.size())), name, 0, false);
                try {
                    addExtents(file, opener, files, d, extents, warnings);
                } catch (ImageException unreadable) {
                    // a snapshot whose delta extent is gone: with --allow-missing-delta, read what it was taken of
                    if (!opener.allowsMissingDelta() || d.parentFileNameHint() == null) throw unreadable;
                    DiskImage below = opener.openParent(opener.locate(file.path(), d.parentFileNameHint(), new NamingField("vmdk",
                            "descriptor parentFileNameHint", d.keyAt().get("parentFileNameHint"))));
                    throw opener.cutChain("the delta of " + name + " is missing or unreadable (" + unreadable.getMessage() + ")",
                            below);
                }
            }
            String hint = d.parentFileNameHint();
            if (hint != null) {
                parent = opener.openParent(opener.locate(file.path(), hint, new NamingField("vmdk",
                        "descriptor parentFileNameHint", d.keyAt().get("parentFileNameHint"))));
                String want = String.format("%08x", d.cid("parentCID"));
                if (parent.format().equals("vmdk") && parent.linkId() != null && !want.equals(parent.linkId())) {
                    warnings.add(String.format("%s: parentCID %s does not match the parent's CID %s (%s):"
                            + " the parent changed after this snapshot was taken", name, want, parent.linkId(), parent.describe()));
                }
                warnings.addAll(parent.warnings());
            }
            VmdkImage img = new VmdkImage(file, d, List.copyOf(extents), files, parent, List.copyOf(warnings));
            ok = true;
            return img;
        } finally {
            if (!ok) {
                for (HostFile f : files.values()) if (f != file) f.close();
                if (parent != null) parent.close();
            }
        }
    }

    private static void addExtents(HostFile file, ImageOpener opener, Map<Path, HostFile> files, Descriptor d,
            List<Extent> extents, List<String> warnings) throws IOException {
        String name = file.path().toString();
        long total = 0;
        for (ExtentLine line : d.extents()) {
            Extent e = extent(file, opener, files, line, name);
            if (e instanceof SparseExtent s && s.uncleanShutdown()) {
                warnings.add(s.file().path() + ": unclean shutdown flag set");
            }
            try {
                total = Math.addExact(total, e.size());
            } catch (ArithmeticException overflow) {
                throw new CorruptImageException("vmdk", "descriptor line " + line.lineNumber(), line.at(), name
                        + ": extents add up to more than 2^63 bytes");
            }
            extents.add(e);
        }
    }

    private static Extent extent(HostFile file, ImageOpener opener, Map<Path, HostFile> files, ExtentLine line,
            String name) throws IOException {
        BlockCache cache = opener.cache();
        long size = line.sectors() * 512;
        if (line.access().equals("NOACCESS")) {
            throw new UnsupportedImageException("vmdk", "descriptor line " + line.lineNumber(), line.at(), "NOACCESS extent in " + name);
        }
        if (line.type().equals("ZERO")) return new ZeroExtent(size);
        if (line.fileName() == null) {
            throw new CorruptImageException("vmdk", "descriptor line " + line.lineNumber(), line.at(), name + ": "
                    + line.type() + " extent without a file name");
        }
        HostFile f = switch (line.type()) {
            case "FLAT", "VMFS", "SPARSE", "VMFSSPARSE", "SESPARSE" -> {
                Located located = opener.locate(file.path(), line.fileName(), new NamingField("vmdk", "descriptor line "
                        + line.lineNumber(), line.at()));
                Path p = located.orThrow();
                HostFile open = files.get(p);
                if (open != null && !line.type().equals("FLAT") && !line.type().equals("VMFS")) {
                    // each sparse extent keeps its own grain directory in memory: naming one file many
                    // times would multiply that memory, and no real descriptor does it
                    throw new CorruptImageException("vmdk", "descriptor line " + line.lineNumber(), line.at(), name
                            + ": sparse extent file \"" + line.fileName() + "\" is named more than once");
                }
                if (open == null) {
                    open = opener.openFile(located);
                    files.put(p, open);
                }
                yield open;
            }
            default -> throw new UnsupportedImageException("vmdk", "descriptor line " + line.lineNumber(), line.at(),
                    line.type() + " extents in " + name);
        };
        String fname = f.path().toString();
        return switch (line.type()) {
            case "FLAT", "VMFS" -> {
                if (line.offset() > Long.MAX_VALUE / 512) {
                    throw new CorruptImageException("vmdk", "descriptor line " + line.lineNumber(), line.at(), "offset out of range");
                }
                yield new FlatExtent(line.type(), f, line.offset() * 512, size);
            }
            case "SPARSE" -> SparseExtent.hosted(f, SparseExtentHeader.parse(header(f), 0, fname), size, cache);
            case "SESPARSE" -> SeSparseExtent.open(f, size, cache);
            default -> SparseExtent.cowd(f, CowdHeader.parse(header(f), 0, fname), size, cache);
        };
    }

    private static ByteBuffer header(HostFile f) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SparseExtentHeader.SIZE);
        f.read(0, b);
        return b.flip();
    }

    private static String text(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) n++;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public String format() { return "vmdk"; }

    @Override
    public long size() { return size; }

    @Override
    public String describe() { return file.path().toString(); }

    /** The CID of the descriptor, which a snapshot's parentCID repeats. */
    @Override
    public String linkId() { return descriptor == null ? null : String.format("%08x", descriptor.cid("CID")); }

    @Override
    public List<ChainLink> chain() {
        List<ChainLink> out = new ArrayList<>();
        StringBuilder d = new StringBuilder();
        if (descriptor == null) {
            d.append("bare extent, ").append(extents.getFirst().detail());
        } else {
            d.append(descriptor.createType()).append(", virtual size ").append(size);
            d.append(String.format(", CID %08x", descriptor.cid("CID")));
            if (descriptor.parentFileNameHint() != null) {
                d.append(String.format(", parentCID %08x, parent \"%s\"", descriptor.cid("parentCID"),
                        descriptor.parentFileNameHint()));
            }
            d.append(", ").append(extents.size()).append(extents.size() == 1 ? " extent" : " extents");
            for (Extent e : extents) {
                if (e.file() == file) d.append("; ").append(e.detail());
            }
        }
        out.add(new ChainLink(file.path(), "vmdk", d.toString()));
        for (Extent e : extents) {
            if (e.file() != null && e.file() != file) out.add(new ChainLink(e.file().path(), "vmdk extent", e.detail()));
        }
        if (parent != null) out.addAll(parent.chain());
        return List.copyOf(out);
    }

    @Override
    public List<Path> files() {
        List<Path> out = new ArrayList<>(files.keySet());
        if (parent != null) out.addAll(parent.files());
        return List.copyOf(out);
    }

    /** The descriptor and every extent file; not the parent's files (other snapshots may share them). */
    @Override
    public List<Path> ownFiles() { return List.copyOf(files.keySet()); }

    @Override
    public List<String> warnings() { return warnings; }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (HostFile f : files.values()) {
            try {
                f.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (parent != null) parent.close();
        if (first != null) throw first;
    }

    // ---- mapping

    /**
     * The extent holding guest byte {@code pos}: the last one starting at or before it (empty
     * extents start where the next one does, so they are never the last), by binary search; a
     * descriptor of thousands of empty extents costs no scan per lookup.
     */
    private int extentAt(long pos) {
        int lo = 0, hi = starts.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= pos) lo = mid + 1;
            else hi = mid;
        }
        return lo - 1;
    }

    /** The piece at guest {@code pos}, with its end in guest coordinates. */
    @Override
    protected Piece classify(long pos, long limit) throws IOException {
        int i = extentAt(pos);
        long s = starts[i];
        Extent e = extents.get(i);
        Piece p = e.classify(pos - s, Math.min(limit, s + e.size()) - s);
        return new Piece(p.kind(), p.end() + s, p.file(), p.host(), p.length());
    }

    @Override
    protected void readCompressed(Piece p, long pos, ByteBuffer dst) throws IOException {
        int i = extentAt(pos);
        SparseExtent s = (SparseExtent) extents.get(i);
        long rel = pos - starts[i];
        dst.put(s.grain(rel, p.host()), (int) (rel % s.grainBytes()), dst.remaining());
    }

    @Override
    protected String compressedReason() { return "compressed vmdk grain (deflate)"; }
}
