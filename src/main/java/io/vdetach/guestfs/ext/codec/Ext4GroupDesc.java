package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ext4_group_desc: one block group descriptor, 32 bytes, or s_desc_size (at least 64) with
 * 64bit, whose second half holds the high words. Ext4 disk layout, "Block Group Descriptors".
 *
 * @param group the group it describes (not stored; part of its checksum)
 * @param flags bg_flags: {@link #INODE_UNINIT}, {@link #BLOCK_UNINIT}, {@link #INODE_ZEROED}
 * @param blockBitmapCsum bg_block_bitmap_csum_lo, and _hi when the descriptor is 64 bytes or more
 * @param checksum bg_checksum: crc16 (gdt_csum) or the low half of crc32c (metadata_csum)
 */
public record Ext4GroupDesc(long group, long blockBitmap, long inodeBitmap, long inodeTable, long freeBlocksCount,
                            long freeInodesCount, long usedDirsCount, int flags, long excludeBitmap, int blockBitmapCsum,
                            int inodeBitmapCsum, long itableUnused, int checksum) {

    /** bg_flags: the inode table (INODE_UNINIT) or block bitmap (BLOCK_UNINIT) was never initialised. */
    public static final int INODE_UNINIT = 0x1, BLOCK_UNINIT = 0x2, INODE_ZEROED = 0x4;
    private static final int CHECKSUM_AT = 0x1E;

    /**
     * Parses and validates the descriptor at {@code at} of {@code b}, {@code offset} being its byte
     * offset in the volume; with {@code verify}, bg_checksum must match too.
     */
    public static Ext4GroupDesc parse(ByteBuffer raw, int at, long group, Ext4SuperBlock sb, long offset, boolean verify) {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        boolean wide = sb.descSize() >= 64;
        Ext4GroupDesc d = new Ext4GroupDesc(group, lohi32(b, at, 0x0, 0x20, wide), lohi32(b, at, 0x4, 0x24, wide),
                lohi32(b, at, 0x8, 0x28, wide), lohi16(b, at, 0xC, 0x2C, wide), lohi16(b, at, 0xE, 0x2E, wide),
                lohi16(b, at, 0x10, 0x30, wide), b.getShort(at + 0x12) & 0xFFFF, lohi32(b, at, 0x14, 0x34, wide),
                (int) lohi16(b, at, 0x18, 0x38, wide), (int) lohi16(b, at, 0x1A, 0x3A, wide), lohi16(b, at, 0x1C, 0x32, wide),
                b.getShort(at + CHECKSUM_AT) & 0xFFFF);
        String structure = "group descriptor " + group;
        long last = sb.blocksCount();
        long table = d.inodeTable;
        if (table <= sb.firstDataBlock() || table > last || sb.inodeTableBlocks() > last - table) {
            throw new CorruptImageException(sb.typeName(), structure, offset + 0x8, "inode table at block " + table + " ("
                    + sb.inodeTableBlocks() + " blocks) outside the " + last + " blocks of the filesystem");
        }
        if (d.blockBitmap <= sb.firstDataBlock() || d.blockBitmap >= last) {
            throw new CorruptImageException(sb.typeName(), structure, offset, "block bitmap at block " + d.blockBitmap + " outside the filesystem");
        }
        if (d.inodeBitmap <= sb.firstDataBlock() || d.inodeBitmap >= last) {
            throw new CorruptImageException(sb.typeName(), structure, offset + 0x4, "inode bitmap at block " + d.inodeBitmap + " outside the filesystem");
        }
        if (verify) {
            byte[] bytes = new byte[sb.descSize()];
            b.get(at, bytes);
            if (checksumOf(bytes, group, sb) != d.checksum) {
                throw new CorruptImageException(sb.typeName(), structure, offset + CHECKSUM_AT, "checksum mismatch");
            }
        }
        return d;
    }

    private static long lohi32(ByteBuffer b, int at, int lo, int hi, boolean wide) {
        return (b.getInt(at + lo) & 0xFFFFFFFFL) | (wide ? (b.getInt(at + hi) & 0xFFFFFFFFL) << 32 : 0);
    }

    private static long lohi16(ByteBuffer b, int at, int lo, int hi, boolean wide) {
        return (b.getShort(at + lo) & 0xFFFFL) | (wide ? (b.getShort(at + hi) & 0xFFFFL) << 16 : 0);
    }

    public boolean hasFlag(int flag) { return (flags & flag) != 0; }

    /**
     * bg_checksum of {@code desc}: with metadata_csum the low 16 bits of crc32c(seed, group,
     * descriptor without the field); with gdt_csum crc16(~0, uuid, group, descriptor without the field).
     */
    static int checksumOf(byte[] desc, long group, Ext4SuperBlock sb) {
        byte[] g = {(byte) group, (byte) (group >>> 8), (byte) (group >>> 16), (byte) (group >>> 24)};
        int rest = desc.length - (CHECKSUM_AT + 2);
        if (sb.has(Feature.METADATA_CSUM)) {
            int c = Crc32c.update(sb.csumSeed(), g, 0, 4);
            c = Crc32c.update(c, desc, 0, CHECKSUM_AT);
            c = Crc32c.update(c, new byte[2], 0, 2);
            return Crc32c.update(c, desc, CHECKSUM_AT + 2, rest) & 0xFFFF;
        }
        if (sb.has(Feature.GDT_CSUM)) {
            int c = Crc16.update(0xFFFF, sb.uuid(), 0, 16);
            c = Crc16.update(c, g, 0, 4);
            c = Crc16.update(c, desc, 0, CHECKSUM_AT);
            return Crc16.update(c, desc, CHECKSUM_AT + 2, rest);
        }
        return 0;
    }

    public Ext4GroupDesc withCounts(long freeBlocks, long freeInodes, long usedDirs, int newFlags, long newItableUnused) {
        return new Ext4GroupDesc(group, blockBitmap, inodeBitmap, inodeTable, freeBlocks, freeInodes, usedDirs, newFlags,
                excludeBitmap, blockBitmapCsum, inodeBitmapCsum, newItableUnused, checksum);
    }

    public Ext4GroupDesc withBitmapCsums(int blockCsum, int inodeCsum) {
        return new Ext4GroupDesc(group, blockBitmap, inodeBitmap, inodeTable, freeBlocksCount, freeInodesCount, usedDirsCount,
                flags, excludeBitmap, blockCsum, inodeCsum, itableUnused, checksum);
    }

    /** s_desc_size bytes with bg_checksum recomputed (the bytes past the 64 defined ones are zero). */
    public byte[] serialise(Ext4SuperBlock sb) {
        byte[] out = new byte[sb.descSize()];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0, (int) blockBitmap).putInt(0x4, (int) inodeBitmap).putInt(0x8, (int) inodeTable);
        b.putShort(0xC, (short) freeBlocksCount).putShort(0xE, (short) freeInodesCount).putShort(0x10, (short) usedDirsCount);
        b.putShort(0x12, (short) flags).putInt(0x14, (int) excludeBitmap).putShort(0x18, (short) blockBitmapCsum);
        b.putShort(0x1A, (short) inodeBitmapCsum).putShort(0x1C, (short) itableUnused);
        if (out.length >= 64) {
            b.putInt(0x20, (int) (blockBitmap >>> 32)).putInt(0x24, (int) (inodeBitmap >>> 32)).putInt(0x28, (int) (inodeTable >>> 32));
            b.putShort(0x2C, (short) (freeBlocksCount >>> 16)).putShort(0x2E, (short) (freeInodesCount >>> 16));
            b.putShort(0x30, (short) (usedDirsCount >>> 16)).putShort(0x32, (short) (itableUnused >>> 16));
            b.putInt(0x34, (int) (excludeBitmap >>> 32)).putShort(0x38, (short) (blockBitmapCsum >>> 16));
            b.putShort(0x3A, (short) (inodeBitmapCsum >>> 16));
        }
        b.putShort(CHECKSUM_AT, (short) checksumOf(out, group, sb));
        return out;
    }
}
