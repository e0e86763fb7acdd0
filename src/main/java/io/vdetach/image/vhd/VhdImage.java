package io.vdetach.image.vhd;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.CachedLayer;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.BlockTableImage;
import io.vdetach.image.Damage;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ImageFormat;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.TablePages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A VHD (Microsoft "Virtual Hard Disk Image Format Specification" 1.0): fixed (guest bytes,
 * then a footer), dynamic (a BAT of 512-byte sector numbers, each block a sector bitmap then
 * the data) or differencing (a dynamic disk whose sector bitmaps say which sectors it holds;
 * the rest comes from the parent). Data of dynamic blocks starts one padded bitmap after the
 * block's sector: Windows puts that sector just before a 4 KiB boundary so the data is aligned,
 * qemu-img packs blocks so most are not; the map gives each run's exact file offset either way.
 */
public final class VhdImage extends BlockTableImage {
    /** A footer copy at 0 is certain; a footer at the end only (fixed disks) may be guest data of another format. */
    public static final ImageFormat FORMAT = new ImageFormat("vhd", s -> s.head(0, "conectix") ? Confidence.CERTAIN
            : s.tail(512, "conectix") || s.tail(511, "conectix") ? Confidence.WEAK : Confidence.NONE, VhdImage::open);
    private static final long UNUSED = 0xFFFFFFFFL;

    private final CachedLayer meta;         // the file, for metadata reads through the image's block cache
    private final VhdFooter footer;
    private final VhdDynamicHeader header; // null for fixed disks
    private final long headerAt;
    private final TablePages bat;           // null for fixed disks
    private final long dataEnd;             // blocks must end before the footer

    private VhdImage(HostFile file, CachedLayer meta, VhdFooter footer, VhdDynamicHeader header, long headerAt, TablePages bat,
                     long dataEnd, long size, DiskImage parent, List<String> warnings) {
        super(file, parent, size, header == null ? Long.MAX_VALUE : header.blockSize(), warnings); // fixed: one block
        this.meta = meta;
        this.footer = footer;
        this.header = header;
        this.headerAt = headerAt;
        this.bat = bat;
        this.dataEnd = dataEnd;
    }

    public static VhdImage open(HostFile file, ImageOpener opener) throws IOException {
        List<String> warnings = new ArrayList<>();
        long fileSize = file.size();
        Located located = readFooter(file, warnings);
        VhdFooter footer = located.footer();
        long footerAt = located.dataEnd(); // where the end footer is, or would be
        long size = footer.virtualSize();
        if (footer.diskType() == VhdFooter.FIXED) {
            if (size > footerAt) {
                throw new CorruptImageException("vhd", "footer", footerAt + 48, "fixed disk of " + size
                        + " bytes, but only " + Math.max(0, footerAt) + " bytes precede the footer (truncated file?)");
            }
            return new VhdImage(file, null, footer, null, -1, null, footerAt, size, null, warnings);
        }
        long headerAt = footer.dataOffset();
        if (headerAt < VhdFooter.SIZE || headerAt > fileSize - VhdDynamicHeader.SIZE) {
            throw new CorruptImageException("vhd", "footer", footerAt + 16, "dynamic disk header offset " + headerAt
                    + " lies outside the file of " + fileSize + " bytes");
        }
        VhdDynamicHeader h = VhdDynamicHeader.parse(file.readBytes(headerAt, VhdDynamicHeader.SIZE), headerAt);
        long blocks = size == 0 ? 0 : (size - 1) / h.blockSize() + 1;
        if (blocks > h.maxTableEntries()) {
            throw new CorruptImageException("vhd", "dynamic disk header", headerAt + 28, "max table entries "
                    + h.maxTableEntries() + " cannot cover the virtual size of " + size + " bytes ("
                    + blocks + " blocks of " + h.blockSize() + ")");
        }
        if (h.tableOffset() > fileSize || blocks * 4 > fileSize - h.tableOffset()) {
            throw new CorruptImageException("vhd", "BAT", h.tableOffset(), blocks + " entries of 4 bytes at offset "
                    + h.tableOffset() + " run past the end of the file (" + fileSize + " bytes)");
        }
        CachedLayer meta = new CachedLayer(file, 4096, opener.cache());
        TablePages bat = new TablePages(meta, h.tableOffset(), blocks, 4, ByteOrder.BIG_ENDIAN, "vhd", "BAT");
        DiskImage parent = null;
        if (footer.diskType() == VhdFooter.DIFFERENCING) {
            parent = VhdParent.open(file, h, headerAt, opener, warnings);
            warnings.addAll(parent.warnings());
        }
        return new VhdImage(file, meta, footer, h, headerAt, bat, footerAt, size, parent, warnings);
    }

    /** A footer, and where the data area ends: at the end footer (512 bytes, or 511 in old images). */
    private record Located(VhdFooter footer, long dataEnd) {}

    /** The end footer, or for dynamic disks the copy at offset 0 when the end one is damaged. */
    private static Located readFooter(HostFile file, List<String> warnings) throws IOException {
        long fileSize = file.size();
        if (fileSize < VhdFooter.SIZE) {
            throw new CorruptImageException("vhd", "footer", -1, "file of " + fileSize + " bytes is too small for a footer");
        }
        long at = fileSize - VhdFooter.SIZE;
        ByteBuffer end = file.readBytes(at, VhdFooter.SIZE);
        Damage endDamage = VhdFooter.damage(end, at);
        if (endDamage == null) return new Located(VhdFooter.parse(end, at), at);
        // Virtual PC before 2004 wrote a 511-byte footer.
        ByteBuffer short511 = ByteBuffer.allocate(VhdFooter.SIZE);
        file.readFully(at + 1, short511.limit(511));
        if (VhdFooter.damage(short511.clear(), at + 1) == null) return new Located(VhdFooter.parse(short511, at + 1), at + 1);
        ByteBuffer first = file.readBytes(0, VhdFooter.SIZE);
        Damage copyDamage = VhdFooter.damage(first, 0);
        if (copyDamage != null) {
            throw new CorruptImageException("vhd", "footer", at, endDamage.detail() + "; and the footer copy is unusable"
                    + " too: " + copyDamage);
        }
        VhdFooter copy = VhdFooter.parse(first, 0);
        if (copy.diskType() == VhdFooter.FIXED) {
            throw endDamage.exception(); // fixed disks keep no copy: "conectix" at 0 would be guest data
        }
        warnings.add("the footer at the end is damaged (" + endDamage + "); using the copy at offset 0");
        return new Located(copy, at);
    }

    @Override
    public String linkId() { return HexFormat.of().formatHex(footer.uniqueId()); }

    @Override
    public String format() { return "vhd"; }

    @Override
    public List<ChainLink> chain() {
        StringBuilder d = new StringBuilder(footer.diskTypeName());
        d.append(", virtual size ").append(size());
        if (header != null) d.append(", block size ").append(header.blockSize());
        d.append(", creator \"").append(footer.creatorApplication().replace("\0", "\\0")).append('"')
                .append(String.format(" 0x%08x", footer.creatorVersion()))
                .append(" on \"").append(footer.creatorHostOs().replace("\0", "\\0")).append('"')
                .append(", current size ").append(footer.currentSize())
                .append(", CHS ").append(footer.cylinders()).append('/').append(footer.heads())
                .append('/').append(footer.sectorsPerTrack());
        return new ChainLink(file.path(), "vhd", d.toString()).then(parent);
    }

    @Override
    protected void mapBlock(List<Run> out, long block, long blockStart, long pos, long n) throws IOException {
        long sector = header == null ? -1 : bat.get(block);
        if (header == null) { // fixed: the guest disk as it is, before the footer
            ExtentMaps.appendMerging(out, new Run.Mapped(pos, n, file, pos));
        } else if (sector == UNUSED) {
            appendParent(out, pos, n);
        } else {
            long data = checkedBlock(block, sector, Math.min(header.blockSize(), size() - blockStart)) + header.bitmapBytes();
            // A dynamic disk holds every sector of an allocated block, whatever its bitmap says.
            if (parent == null) {
                ExtentMaps.appendMerging(out, new Run.Mapped(pos, n, file, data + (pos - blockStart)));
                return;
            }
            byte[] bitmap = new byte[(int) ((header.blockSize() / 512 + 7) / 8)]; // in front of the block's data
            meta.readFully(sector * 512, ByteBuffer.wrap(bitmap));
            // bit 7 of byte 0 is the block's first sector (spec: big-endian bit order, as QEMU reads it)
            mapBySectors(out, bitmap, true, 512, file, data, blockStart, pos, n);
        }
    }

    /** Checks that block {@code block} (bitmap and the {@code needed} data bytes) lies in the data area. */
    private long checkedBlock(long block, long sector, long needed) {
        long at = sector * 512;
        long end = at + header.bitmapBytes() + needed;
        long entryAt = bat.offsetOf(block);
        if (end > dataEnd) {
            throw new CorruptImageException("vhd", "BAT", entryAt, "block " + block + " at file offset " + at
                    + " ends at " + end + ", past the data area that ends at " + dataEnd);
        }
        long batEnd = header.tableOffset() + bat.entries() * 4;
        if (at < VhdFooter.SIZE || overlaps(at, end, headerAt, headerAt + VhdDynamicHeader.SIZE)
                || overlaps(at, end, header.tableOffset(), batEnd)) {
            throw new CorruptImageException("vhd", "BAT", entryAt, "block " + block + " at file offset " + at
                    + " overlaps the footer copy, the dynamic disk header or the BAT");
        }
        return at;
    }

    private static boolean overlaps(long a, long b, long c, long d) {
        return a < d && c < b;
    }
}
