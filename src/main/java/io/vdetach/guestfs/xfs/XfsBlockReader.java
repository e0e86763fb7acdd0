package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Filesystem blocks of one XFS volume: address arithmetic (AG number and AG block packed in
 * an fsblock number, inode numbers) and metadata blocks through the block cache, so inode
 * clusters, directory and btree blocks are read from the volume once per walk.
 */
final class XfsBlockReader {
    final Layer volume;
    final XfsSuperblock sb;
    /** Metadata blocks by byte offset. */
    private final BlockCache.Region<byte[]> blocks;

    XfsBlockReader(Layer volume, XfsSuperblock sb, BlockCache cache) {
        this.volume = volume;
        this.sb = sb;
        this.blocks = cache.region("xfs blocks of " + volume.describe(), b -> b.length);
    }

    /** Byte offset in the volume of fsblock number {@code fsbno} (agno &lt;&lt; agblklog | agbno). */
    long fsbToByte(long fsbno, String structure, long where) {
        long agno = fsbno >>> sb.agBlockLog();
        long agbno = fsbno & ((1L << sb.agBlockLog()) - 1);
        if (fsbno < 0 || agno >= sb.agCount() || agbno >= sb.agBlocks()) {
            throw new CorruptImageException("xfs", structure, where, "block number " + fsbno + " outside the filesystem");
        }
        return (agno * sb.agBlocks() + agbno) * sb.blockSize();
    }

    /** Checks that {@code count} blocks from {@code fsbno} stay inside one AG and inside the volume. */
    long extentToByte(long fsbno, long count, String structure, long where) {
        long start = fsbToByte(fsbno, structure, where);
        long agbno = fsbno & ((1L << sb.agBlockLog()) - 1);
        long bytes = count * sb.blockSize();
        if (count <= 0 || agbno + count > sb.agBlocks() || start + bytes > volume.size()) {
            throw new CorruptImageException("xfs", structure, where,
                    "extent of " + count + " blocks at block " + fsbno + " runs past its AG or the volume");
        }
        return start;
    }

    /** Byte offset of inode {@code ino} (AG number, AG block, index in block packed in the number). */
    long inodeByte(long ino, long where) {
        int inoBits = sb.agBlockLog() + sb.inodesPerBlockLog();
        long agno = ino >>> inoBits;
        long agino = ino & ((1L << inoBits) - 1);
        long agbno = agino >>> sb.inodesPerBlockLog();
        long index = agino & ((1L << sb.inodesPerBlockLog()) - 1);
        if (ino <= 0 || agno >= sb.agCount() || agbno >= sb.agBlocks()) {
            throw new CorruptImageException("xfs", "inode number", where, "inode " + ino + " outside the filesystem");
        }
        long at = (agno * sb.agBlocks() + agbno) * sb.blockSize() + index * sb.inodeSize();
        if (at + sb.inodeSize() > volume.size()) {
            throw new CorruptImageException("xfs", "inode number", where, "inode " + ino + " past the end of the volume");
        }
        return at;
    }

    /** The filesystem block at byte offset {@code at} (block aligned), big-endian, read-only view. */
    ByteBuffer block(long at) throws IOException {
        if (at < 0 || at + sb.blockSize() > volume.size()) throw new CorruptImageException("xfs", "block", at, "past the end of the volume");
        byte[] data = blocks.get(at, a -> volume.readBytes(a, sb.blockSize()).array());
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN);
    }

    /** {@code length} bytes at {@code at} that lie within one block. */
    ByteBuffer bytesInBlock(long at, int length) throws IOException {
        long blockStart = at - Math.floorMod(at, sb.blockSize());
        ByteBuffer b = block(blockStart);
        int pos = (int) (at - blockStart);
        return b.position(pos).limit(pos + length).slice().order(ByteOrder.BIG_ENDIAN);
    }
}
