package io.vdetach.image.vdi;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.CachedLayer;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.BlockTableImage;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ImageFormat;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.TablePages;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A VirtualBox VDI: a header, a block map of 32-bit entries (block number in the data area,
 * 0xFFFFFFFF free, 0xFFFFFFFE zero), and the data area. Fixed images have every block
 * allocated in order; dynamic ones allocate on write; diff images read free blocks from the
 * parent, found by UUID in the same directory.
 */
public final class VdiImage extends BlockTableImage {
    /** After 64 bytes of free text, the signature 0xbeda107f (little-endian) at 0x40 (VirtualBox VDICore.h). */
    public static final ImageFormat FORMAT = new ImageFormat("vdi", s -> Confidence.certainIf(s.head(0x40, "\177\020\332\276")),
            VdiImage::open);
    private static final long FREE = 0xFFFFFFFFL;
    private static final long ZERO = 0xFFFFFFFEL;

    private final VdiHeader header;
    private final TablePages blockMap;

    private VdiImage(HostFile file, VdiHeader header, TablePages blockMap, DiskImage parent, List<String> warnings) {
        super(file, parent, header.diskSize(), header.blockSize(), warnings);
        this.header = header;
        this.blockMap = blockMap;
    }

    public static VdiImage open(HostFile file, ImageOpener opener) throws IOException {
        if (file.size() < VdiHeader.SIZE) {
            throw new CorruptImageException("vdi", "header", -1, "file of " + file.size() + " bytes is shorter than the header");
        }
        VdiHeader h = VdiHeader.parse(file.readBytes(0, VdiHeader.SIZE), file.size());
        TablePages map = new TablePages(new CachedLayer(file, 4096, opener.cache()), h.offsetBlocks(), h.blocksInHdd(), 4, ByteOrder.LITTLE_ENDIAN, "vdi", "block map");
        List<String> warnings = new ArrayList<>();
        DiskImage parent = null;
        if (h.hasParent()) {
            parent = VdiParent.open(file, h, opener, warnings);
            warnings.addAll(parent.warnings());
        }
        return new VdiImage(file, h, map, parent, warnings);
    }

    @Override
    public String linkId() { return header.uuidModify().toString(); }

    @Override
    public String format() { return "vdi"; }

    @Override
    public List<ChainLink> chain() {
        String d = header.typeName() + ", virtual size " + header.diskSize() + ", block size " + header.blockSize()
                + ", blocks " + header.blocksAllocated() + "/" + header.blocksInHdd() + " allocated, data at "
                + header.offsetData() + ", uuid " + header.uuidCreate()
                + (header.hasParent() ? ", parent uuid " + header.uuidLinkage() : "");
        return new ChainLink(file.path(), "vdi", d).then(parent);
    }

    @Override
    protected void mapBlock(List<Run> out, long block, long blockStart, long pos, long n) throws IOException {
        long entry = blockMap.get(block);
        if (entry == FREE) {
            appendParent(out, pos, n);
        } else if (entry == ZERO) {
            ExtentMaps.appendMerging(out, new Run.Hole(pos, n));
        } else {
            long data = checkedBlock(block, entry, Math.min(header.blockSize(), size() - blockStart));
            ExtentMaps.appendMerging(out, new Run.Mapped(pos, n, file, data + (pos - blockStart)));
        }
    }

    private long checkedBlock(long block, long entry, long needed) {
        long entryAt = blockMap.offsetOf(block);
        if (entry >= header.blocksInHdd()) {
            throw new CorruptImageException("vdi", "block map", entryAt, "block " + block + " points at data block "
                    + entry + ", beyond the " + header.blocksInHdd() + " blocks of the disk");
        }
        long at = header.offsetData() + entry * (header.blockSize() + header.blockExtra()) + header.blockExtra();
        if (at > file.size() || needed > file.size() - at) {
            throw new CorruptImageException("vdi", "block map", entryAt, "block " + block + " at file offset " + at
                    + " runs past the end of the file (" + file.size() + " bytes)");
        }
        return at;
    }
}
