package io.vdetach.image.vdi;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The VirtualBox VDI header, version 1.1 (VirtualBox VDICore.h, VDIHEADER1PLUS): 64 bytes of
 * pre-header text, signature, version, then the header proper. Little-endian.
 */
record VdiHeader(
        String text,
        long version,
        long headerSize,
        int imageType,
        long imageFlags,
        long offsetBlocks,
        long offsetData,
        long cylinders,
        long heads,
        long sectors,
        long sectorSize,
        long diskSize,
        long blockSize,
        long blockExtra,
        long blocksInHdd,
        long blocksAllocated,
        Guid uuidCreate,
        Guid uuidModify,
        Guid uuidLinkage,
        Guid uuidParentModify) {

    static final int SIGNATURE = 0xbeda107f;
    /** Bytes from 0 through the parent-modification UUID: all this reader needs. */
    static final int SIZE = 0x1c8;
    static final int NORMAL = 1;
    static final int FIXED = 2;
    static final int UNDO = 3;
    static final int DIFF = 4;
    /** VirtualBox uses 1 MiB blocks; 256 MiB is far beyond anything it writes. */
    private static final long MAX_BLOCK_SIZE = 256L << 20;
    /** Extra per-block data is unused by VirtualBox (always 0); a block's worth is the sane ceiling. */
    private static final long MAX_BLOCK_EXTRA = 1L << 20;

    static VdiHeader parse(ByteBuffer b, long fileSize) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0x40) != SIGNATURE) {
            throw new CorruptImageException("vdi", "header", 0x40, "signature is not 0xbeda107f");
        }
        long version = Integer.toUnsignedLong(b.getInt(0x44));
        if (version >>> 16 != 1) {
            throw new UnsupportedImageException("vdi", String.format("header version %d.%d", version >>> 16, version & 0xffff));
        }
        byte[] text = new byte[0x40];
        b.get(0, text);
        String t = new String(text, StandardCharsets.ISO_8859_1);
        int nul = t.indexOf('\0');
        VdiHeader h = new VdiHeader(
                (nul < 0 ? t : t.substring(0, nul)).strip(), version,
                u32(b, 0x48), b.getInt(0x4c), u32(b, 0x50),
                u32(b, 0x154), u32(b, 0x158),
                u32(b, 0x15c), u32(b, 0x160), u32(b, 0x164), u32(b, 0x168),
                b.getLong(0x170), u32(b, 0x178), u32(b, 0x17c), u32(b, 0x180), u32(b, 0x184),
                Guid.read(b, 0x188), Guid.read(b, 0x198), Guid.read(b, 0x1a8), Guid.read(b, 0x1b8));
        h.validate(fileSize);
        return h;
    }

    private void validate(long fileSize) {
        if (imageType < NORMAL || imageType > DIFF) {
            throw new CorruptImageException("vdi", "header", 0x4c, "image type " + imageType + " (1 normal, 2 fixed, 3 undo, 4 diff)");
        }
        if (blockSize < 512 || blockSize > MAX_BLOCK_SIZE || Long.bitCount(blockSize) != 1) {
            throw new CorruptImageException("vdi", "header", 0x178, "block size " + blockSize
                    + " is not a power of two from 512 to " + MAX_BLOCK_SIZE);
        }
        if (blockExtra > MAX_BLOCK_EXTRA) {
            throw new CorruptImageException("vdi", "header", 0x17c, "block extra data of " + blockExtra + " bytes");
        }
        if (diskSize < 0 || Long.compareUnsigned(diskSize, blocksInHdd * blockSize) > 0) {
            throw new CorruptImageException("vdi", "header", 0x170, "disk size " + Long.toUnsignedString(diskSize)
                    + " exceeds " + blocksInHdd + " blocks of " + blockSize + " bytes");
        }
        if (offsetBlocks < 0x48 + Math.min(headerSize, 0x180) || offsetBlocks + blocksInHdd * 4 > offsetData) {
            throw new CorruptImageException("vdi", "header", 0x154, "block map at " + offsetBlocks + " with "
                    + blocksInHdd + " entries overlaps the header or the data at " + offsetData);
        }
        if (offsetData > fileSize) {
            throw new CorruptImageException("vdi", "header", 0x158, "data offset " + offsetData
                    + " lies past the end of the file (" + fileSize + " bytes)");
        }
    }

    String typeName() {
        return switch (imageType) {
            case NORMAL -> "dynamic";
            case FIXED -> "fixed";
            case UNDO -> "undo";
            default -> "diff";
        };
    }

    boolean hasParent() {
        return imageType == DIFF || (imageType == UNDO && !uuidLinkage.isZero());
    }

    private static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }
}
