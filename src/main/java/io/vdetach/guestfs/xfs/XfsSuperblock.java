package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The primary superblock (XFS Algorithms &amp; Data Structures, "Superblocks"), big-endian,
 * at byte 0 of the volume. {@link #parse} checks every geometry field that later
 * arithmetic depends on, so code past it never sees an unchecked geometry number.
 */
public record XfsSuperblock(int blockSize, long dataBlocks, long rtBlocks, long rtExtents, long rootIno,
                            int agBlocks, int agCount, int version, int sectorSize, int inodeSize,
                            int inodesPerBlock, String label, int blockLog, int inodesPerBlockLog,
                            int agBlockLog, int dirBlockLog, int features2, int incompat, int roCompat,
                            boolean inProgress, long logStart, long logBlocks, long freeDataBlocks,
                            long inodesInUse) {

    static final int MAGIC = 0x58465342; // "XFSB"
    /** XFS_SB_VERSION_MOREBITSBIT: features2 is valid on v4. */
    private static final int VERSION_MOREBITS = 0x8000;
    private static final int V4_FEATURES2_FTYPE = 0x200;
    private static final int V5_INCOMPAT_FTYPE = 0x1;
    static final int V5_INCOMPAT_BIGTIME = 0x8;
    static final int V5_INCOMPAT_NREXT64 = 0x20;
    /** Incompat bits this reader understands: ftype, spinodes, meta_uuid, bigtime, needsrepair, nrext64. */
    private static final int KNOWN_INCOMPAT = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20;
    /** Largest XFS block size (64 KiB, the spec's XFS_MAX_BLOCKSIZE). */
    private static final int MAX_BLOCK_SIZE = 65536;
    /** Largest directory block (64 KiB, XFS_MAX_BLOCKSIZE as well). */
    private static final int MAX_DIR_BLOCK = 65536;

    public static XfsSuperblock parse(ByteBuffer raw, long off) {
        ByteBuffer b = raw.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (b.limit() < 512) throw bad(off, "shorter than a sector");
        if (b.getInt(0) != MAGIC) throw bad(off, "magic is not XFSB");
        int blockSize = b.getInt(4);
        long dblocks = b.getLong(8);
        long rblocks = b.getLong(16);
        long rextents = b.getLong(24);
        long rootIno = b.getLong(56);
        int agBlocks = b.getInt(84);
        int agCount = b.getInt(88);
        int versionNum = b.getShort(100) & 0xffff;
        int sectSize = b.getShort(102) & 0xffff;
        int inodeSize = b.getShort(104) & 0xffff;
        int inoPerBlock = b.getShort(106) & 0xffff;
        byte[] fname = new byte[12];
        b.get(108, fname);
        int blockLog = b.get(120) & 0xff;
        int sectLog = b.get(121) & 0xff;
        int inodeLog = b.get(122) & 0xff;
        int inoPbLog = b.get(123) & 0xff;
        int agBlkLog = b.get(124) & 0xff;
        int dirBlkLog = b.get(192) & 0xff;
        int version = versionNum & 0xf;
        int features2 = (versionNum & VERSION_MOREBITS) != 0 ? b.getInt(200) : 0;
        int incompat = version == 5 ? b.getInt(216) : 0;
        int roCompat = version == 5 ? b.getInt(212) : 0;

        if (version != 4 && version != 5) throw bad(off, "version " + version + " (only 4 and 5 exist)");
        if (blockSize < 512 || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1
                || 1 << blockLog != blockSize) throw bad(off, "block size " + blockSize + " / log " + blockLog);
        if (sectSize < 512 || sectSize > 32768 || Integer.bitCount(sectSize) != 1 || 1 << sectLog != sectSize
                || sectSize > blockSize) throw bad(off, "sector size " + sectSize);
        if (inodeSize < 256 || inodeSize > 2048 || 1 << inodeLog != inodeSize || inodeSize > blockSize
                || (version == 5 && inodeSize < 512)) throw bad(off, "inode size " + inodeSize);
        if (inoPerBlock != blockSize / inodeSize || 1 << inoPbLog != inoPerBlock) {
            throw bad(off, "inodes per block " + inoPerBlock);
        }
        // an AG holds at least 64 blocks (XFS_MIN_AG_BLOCKS) and at most 2^31 - 1 blocks
        if (agBlocks < 64 || agBlkLog > 31 || agBlocks > 1L << agBlkLog || (1L << agBlkLog) >= 2L * agBlocks) {
            throw bad(off, "AG size " + agBlocks + " blocks / log " + agBlkLog);
        }
        if (agCount < 1 || dblocks <= 0 || dblocks > (long) agCount * agBlocks
                || dblocks <= (long) (agCount - 1) * agBlocks) {
            throw bad(off, "AG count " + agCount + " for " + dblocks + " blocks of " + agBlocks + " per AG");
        }
        if (agBlkLog + inoPbLog > 56) throw bad(off, "inode number bits");
        if (dirBlkLog > 8 || (long) blockSize << dirBlkLog > MAX_DIR_BLOCK) throw bad(off, "directory block log " + dirBlkLog);
        if (rextents != 0 || rblocks != 0) {
            throw UnsupportedImageException.because("xfs", "XFS realtime device is not supported");
        }
        if ((incompat & ~KNOWN_INCOMPAT) != 0) {
            throw new UnsupportedImageException("xfs", "incompatible feature bits 0x" + Integer.toHexString(incompat & ~KNOWN_INCOMPAT));
        }
        int nul = 0;
        while (nul < 12 && fname[nul] != 0) nul++;
        String label = new String(fname, 0, nul, StandardCharsets.UTF_8);
        return new XfsSuperblock(blockSize, dblocks, rblocks, rextents, rootIno, agBlocks, agCount, version,
                sectSize, inodeSize, inoPerBlock, label, blockLog, inoPbLog, agBlkLog, dirBlkLog,
                features2, incompat, roCompat, (b.get(126) & 0xff) != 0, b.getLong(48), b.getInt(96) & 0xffffffffL,
                Math.max(0, Math.min(dblocks, b.getLong(0x90))), // sb_fdblocks
                Math.max(0, b.getLong(0x80) - b.getLong(0x88))); // sb_icount - sb_ifree
    }

    boolean isV5() { return version == 5; }

    /** XFS_SB_FEAT_INCOMPAT_NEEDSREPAIR: xfs_repair stopped half-way, or a tool asked for a repair. */
    boolean needsRepair() { return (incompat & 0x10) != 0; }

    /** Directory entries carry a file type byte (v5 incompat FTYPE, or v4 features2 FTYPE). */
    boolean hasFtype() {
        return isV5() ? (incompat & V5_INCOMPAT_FTYPE) != 0 : (features2 & V4_FEATURES2_FTYPE) != 0;
    }

    int dirBlockSize() { return blockSize << dirBlockLog; }

    private static CorruptImageException bad(long off, String detail) {
        return new CorruptImageException("xfs", "superblock", off, detail);
    }
}
