package io.vdetach.image.vhdx;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.Layer;
import io.vdetach.image.Guid;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The known metadata items, validated ([MS-VHDX] 2.6.2). */
record VhdxMetadata(
        long blockSize,
        boolean leaveBlocksAllocated,
        boolean hasParent,
        long virtualDiskSize,
        int logicalSectorSize,
        int physicalSectorSize,
        Guid page83,
        VhdxParentLocator parentLocator) {

    static final Guid FILE_PARAMETERS = Guid.of("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
    static final Guid VIRTUAL_DISK_SIZE = Guid.of("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    static final Guid PAGE83_DATA = Guid.of("BECA12AB-B2E6-4523-93EF-C309E000C746");
    static final Guid LOGICAL_SECTOR_SIZE = Guid.of("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
    static final Guid PHYSICAL_SECTOR_SIZE = Guid.of("CDA348C7-445D-4471-9CC9-E9885251C556");
    static final Guid PARENT_LOCATOR = Guid.of("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");

    /** [MS-VHDX] 2.6.2.2: VirtualDiskSize MUST be at most 64 TB. */
    static final long MAX_VIRTUAL_SIZE = 64L << 40;
    /** [MS-VHDX] 2.6.2.1: BlockSize is a power of two from 1 MB to 256 MB. */
    private static final long MIN_BLOCK = 1L << 20;
    private static final long MAX_BLOCK = 256L << 20;
    /** [MS-VHDX] 2.6.1: the metadata region holds at most 1 MB of items; no item is larger. */
    private static final long MAX_ITEM = 1L << 20;

    static VhdxMetadata read(Layer file, long regionAt, long regionLength) throws IOException {
        VhdxMetadataTable table = VhdxMetadataTable.parse(file.readBytes(regionAt, VhdxMetadataTable.SIZE), regionAt);
        Long blockSize = null;
        boolean leave = false;
        boolean hasParent = false;
        Long size = null;
        Integer logical = null;
        Integer physical = null;
        Guid page83 = null;
        VhdxParentLocator locator = null;
        for (int i = 0; i < table.entries().size(); i++) {
            VhdxMetadataTable.Entry e = table.entries().get(i);
            long entryAt = regionAt + 32 + i * 32L;
            if (e.length() == 0) continue;
            if (e.offset() < VhdxMetadataTable.SIZE || e.length() > MAX_ITEM || e.offset() + e.length() > regionLength) {
                throw new CorruptImageException("vhdx", "metadata table entry", entryAt, "item " + e.itemId()
                        + " at region offset " + e.offset() + " of " + e.length() + " bytes lies outside the metadata"
                        + " region of " + regionLength + " bytes");
            }
            long at = regionAt + e.offset();
            ByteBuffer b = file.readBytes(at, (int) e.length()).order(ByteOrder.LITTLE_ENDIAN);
            Guid id = e.itemId();
            if (id.equals(FILE_PARAMETERS)) {
                need(b, 8, at, "file parameters");
                blockSize = Integer.toUnsignedLong(b.getInt(0));
                leave = (b.getInt(4) & 1) != 0;
                hasParent = (b.getInt(4) & 2) != 0;
            } else if (id.equals(VIRTUAL_DISK_SIZE)) {
                need(b, 8, at, "virtual disk size");
                size = b.getLong(0);
            } else if (id.equals(LOGICAL_SECTOR_SIZE)) {
                need(b, 4, at, "logical sector size");
                logical = b.getInt(0);
            } else if (id.equals(PHYSICAL_SECTOR_SIZE)) {
                need(b, 4, at, "physical sector size");
                physical = b.getInt(0);
            } else if (id.equals(PAGE83_DATA)) {
                need(b, 16, at, "page 83 data");
                page83 = Guid.read(b, 0);
            } else if (id.equals(PARENT_LOCATOR)) {
                locator = VhdxParentLocator.parse(b, at);
            } else if (e.isRequired()) {
                throw new UnsupportedImageException("vhdx", "required metadata item " + id + " (at offset " + at + ")");
            }
        }
        if (blockSize == null || size == null || logical == null || physical == null) {
            throw new CorruptImageException("vhdx", "metadata table", regionAt, "a required item is missing (file "
                    + "parameters, virtual disk size, logical or physical sector size)");
        }
        if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK || Long.bitCount(blockSize) != 1) {
            throw new CorruptImageException("vhdx", "file parameters", regionAt, "block size " + blockSize
                    + " is not a power of two from 1 MiB to 256 MiB");
        }
        if (logical != 512 && logical != 4096) {
            throw new CorruptImageException("vhdx", "logical sector size", regionAt, "value " + logical + " (512 or 4096)");
        }
        if (physical != 512 && physical != 4096) {
            throw new CorruptImageException("vhdx", "physical sector size", regionAt, "value " + physical + " (512 or 4096)");
        }
        if (size < 0 || size > MAX_VIRTUAL_SIZE) {
            throw new UnsupportedImageException("vhdx", "virtual disk size of " + Long.toUnsignedString(size)
                    + " bytes (the VHDX maximum is 64 TiB)");
        }
        if (size % logical != 0) {
            throw new CorruptImageException("vhdx", "virtual disk size", regionAt, "size " + size
                    + " is not a multiple of the logical sector size " + logical);
        }
        if (hasParent && locator == null) {
            throw new CorruptImageException("vhdx", "metadata table", regionAt, "differencing disk without a parent locator");
        }
        return new VhdxMetadata(blockSize, leave, hasParent, size, logical, physical, page83, locator);
    }

    private static void need(ByteBuffer b, int bytes, long at, String item) {
        if (b.limit() < bytes) {
            throw new CorruptImageException("vhdx", item, at, "item of " + b.limit() + " bytes, expected " + bytes);
        }
    }

    /** Payload blocks per sector bitmap block ([MS-VHDX] 2.5: 2^23 sectors per bitmap block). */
    long chunkRatio() {
        return (1L << 23) * logicalSectorSize / blockSize;
    }
}
