package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filesystem blocks of one XFS volume: address arithmetic (AG number and AG block packed in
 * an fsblock number, inode numbers) and a small LRU cache of metadata blocks, so inode
 * clusters, directory and btree blocks are read from the volume once per walk.
 */
final class XfsBlockReader {
    /** Metadata blocks kept: 4096 blocks of 4 KiB are 16 MiB, enough for a directory's working set. */
    private static final int CACHE_BLOCKS = 4096;

    final Layer volume;
    final XfsSuperblock sb;
    private final Map<Long, byte[]> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) { return size() > CACHE_BLOCKS; }
    };

    XfsBlockReader(Layer volume, XfsSuperblock sb) {
        this.volume = volume;
        this.sb = sb;
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
        byte[] data;
        synchronized (cache) {
            data = cache.get(at);
        }
        if (data == null) {
            if (at < 0 || at + sb.blockSize() > volume.size()) {
                throw new CorruptImageException("xfs", "block", at, "past the end of the volume");
            }
            ByteBuffer buf = ByteBuffer.allocate(sb.blockSize());
            volume.readFully(at, buf);
            data = buf.array();
            synchronized (cache) {
                cache.put(at, data);
            }
        }
        return ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN).asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN);
    }

    /** {@code length} bytes at {@code at} that lie within one block. */
    ByteBuffer bytesInBlock(long at, int length) throws IOException {
        long blockStart = at - Math.floorMod(at, sb.blockSize());
        ByteBuffer b = block(blockStart);
        int pos = (int) (at - blockStart);
        return b.position(pos).limit(pos + length).slice().order(ByteOrder.BIG_ENDIAN);
    }
}
