package io.vdetach.apply.offline.ext4;

import io.vdetach.error.HostException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and builds extent trees ("ext4 Data Structures and Algorithms" 4.2.3): a 12-byte
 * header (magic 0xF30A, entries, max, depth), then 12-byte index or leaf entries; in the
 * inode's i_block (max 4) or in whole blocks, which with metadata_csum end in a 4-byte
 * crc32c tail right after eh_max entries.
 */
public final class ExtentTree {
    static final int MAGIC = 0xF30A;
    /** The kernel refuses trees deeper than 5 (EXT4_MAX_EXTENT_DEPTH). */
    static final int MAX_DEPTH = 5;

    private ExtentTree() {}

    /** What reading a tree found: its leaf extents in logical order and its index/leaf blocks. */
    public record Contents(List<Extent> extents, List<Long> treeBlocks) {}

    /** Reads the tree rooted in {@code inode}'s i_block; corruption is a host error naming the inode. */
    public static Contents read(Ext4Volume fs, Ext4Inode inode) throws IOException {
        List<Extent> out = new ArrayList<>();
        List<Long> blocks = new ArrayList<>();
        walk(fs, inode, inode.iBlock(), -1, out, blocks, 0);
        if (blocks.size() > fs.blocksCount()) throw corrupt(inode, "extent tree larger than the filesystem");
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).logical() < out.get(i - 1).logicalEnd()) throw corrupt(inode, "extents overlap or are out of order");
        }
        return new Contents(out, blocks);
    }

    private static void walk(Ext4Volume fs, Ext4Inode inode, byte[] node, int expectDepth, List<Extent> out,
                             List<Long> blocks, int level) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(node).order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getShort(0) & 0xFFFF) != MAGIC) throw corrupt(inode, "bad extent header magic");
        int entries = b.getShort(2) & 0xFFFF;
        int max = b.getShort(4) & 0xFFFF;
        int depth = b.getShort(6) & 0xFFFF;
        if (entries > max || 12 + 12 * max > node.length || depth > MAX_DEPTH || (expectDepth >= 0 && depth != expectDepth)
                || level > MAX_DEPTH) {
            throw corrupt(inode, "bad extent header (entries " + entries + ", max " + max + ", depth " + depth + ")");
        }
        for (int i = 0; i < entries; i++) {
            int e = 12 + 12 * i;
            long logical = b.getInt(e) & 0xFFFFFFFFL;
            if (depth == 0) {
                int len = b.getShort(e + 4) & 0xFFFF;
                boolean unwritten = len > Extent.MAX_LEN;
                if (unwritten) len -= Extent.MAX_LEN;
                long phys = (b.getShort(e + 6) & 0xFFFFL) << 32 | (b.getInt(e + 8) & 0xFFFFFFFFL);
                if (len == 0 || phys + len > fs.blocksCount() || phys < fs.firstDataBlock()) {
                    throw corrupt(inode, "extent " + logical + "+" + len + " at block " + phys + " outside the filesystem");
                }
                out.add(new Extent(logical, phys, len, unwritten));
            } else {
                long child = (b.getShort(e + 8) & 0xFFFFL) << 32 | (b.getInt(e + 4) & 0xFFFFFFFFL);
                if (child < fs.firstDataBlock() || child >= fs.blocksCount()) throw corrupt(inode, "extent index points outside the filesystem");
                blocks.add(child);
                // a tree can have no more blocks than the filesystem: stops crafted fan-out loops
                if (blocks.size() > fs.blocksCount() || out.size() > fs.blocksCount()) throw corrupt(inode, "extent tree larger than the filesystem");
                byte[] childNode = fs.block(child);
                if (fs.csum()) {
                    int cmax = ByteBuffer.wrap(childNode).order(ByteOrder.LITTLE_ENDIAN).getShort(4) & 0xFFFF;
                    int toff = 12 + 12 * cmax;
                    if (toff + 4 > childNode.length || ByteBuffer.wrap(childNode).order(ByteOrder.LITTLE_ENDIAN).getInt(toff)
                            != Crc32c.update(inode.csumSeed(fs.seed()), childNode, 0, toff)) {
                        throw corrupt(inode, "extent block " + child + " checksum mismatch");
                    }
                }
                walk(fs, inode, childNode, depth - 1, out, blocks, level + 1);
            }
        }
    }

    private static HostException corrupt(Ext4Inode inode, String what) {
        return new HostException("host ext4: inode " + inode.ino + ": " + what + "; run e2fsck on the host first");
    }

    /** Allocates tree blocks and writes them; the writer's side of {@link #build}. */
    public interface BlockSink {
        long allocate() throws IOException;

        /** Stores a finished tree block (its checksum tail still to be filled by the sink). */
        void write(long block, byte[] data) throws IOException;
    }

    /** A built tree: the 60 bytes for i_block and the number of tree blocks it needed. */
    public record Built(byte[] root, int treeBlocks) {}

    /**
     * Builds the smallest tree holding {@code extents} (sorted, non-overlapping, each at most
     * {@link Extent#MAX_LEN}): depth 0 when 4 fit in the inode, else full leaves of
     * (block size − 12) / 12 entries and as many index levels as needed.
     */
    public static Built build(List<Extent> extents, int blockSize, BlockSink sink) throws IOException {
        if (extents.size() <= 4) return new Built(leafNode(extents, 0, extents.size(), 4, Ext4Inode.I_BLOCK_SIZE), 0);
        int perBlock = (blockSize - 12) / 12;
        int blocks = 0;
        // level entries: (first logical block, child block)
        List<long[]> level = new ArrayList<>();
        for (int i = 0; i < extents.size(); i += perBlock) {
            int n = Math.min(perBlock, extents.size() - i);
            long blk = sink.allocate();
            sink.write(blk, leafNode(extents, i, n, perBlock, blockSize));
            blocks++;
            level.add(new long[] {extents.get(i).logical(), blk});
        }
        int depth = 1;
        while (level.size() > 4) {
            List<long[]> up = new ArrayList<>();
            for (int i = 0; i < level.size(); i += perBlock) {
                int n = Math.min(perBlock, level.size() - i);
                long blk = sink.allocate();
                sink.write(blk, indexNode(level, i, n, perBlock, depth, blockSize));
                blocks++;
                up.add(new long[] {level.get(i)[0], blk});
            }
            level = up;
            depth++;
            if (depth > MAX_DEPTH) throw new HostException("file needs an extent tree deeper than " + MAX_DEPTH);
        }
        return new Built(indexNode(level, 0, level.size(), 4, depth, Ext4Inode.I_BLOCK_SIZE), blocks);
    }

    private static ByteBuffer header(int size, int entries, int max, int depth) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) MAGIC).putShort((short) entries).putShort((short) max).putShort((short) depth).putInt(0);
        return b;
    }

    private static byte[] leafNode(List<Extent> ex, int from, int n, int max, int size) {
        ByteBuffer b = header(size, n, max, 0);
        for (int i = from; i < from + n; i++) {
            Extent e = ex.get(i);
            b.putInt((int) e.logical());
            b.putShort((short) (e.length() + (e.unwritten() ? Extent.MAX_LEN : 0)));
            b.putShort((short) (e.physical() >>> 32));
            b.putInt((int) e.physical());
        }
        return b.array();
    }

    private static byte[] indexNode(List<long[]> level, int from, int n, int max, int depth, int size) {
        ByteBuffer b = header(size, n, max, depth);
        for (int i = from; i < from + n; i++) {
            long[] e = level.get(i);
            b.putInt((int) e[0]);
            b.putInt((int) e[1]);
            b.putShort((short) (e[1] >>> 32));
            b.putShort((short) 0);
        }
        return b.array();
    }

    /** Fills the crc32c tail of a tree block (4.2.3, ext4_extent_tail) with the inode's seed. */
    public static void setTail(byte[] block, int inodeSeed) {
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        int max = b.getShort(4) & 0xFFFF;
        int off = 12 + 12 * max;
        b.putInt(off, Crc32c.update(inodeSeed, block, 0, off));
    }

    /** Splits and merges runs into extents of at most {@link Extent#MAX_LEN} blocks. */
    public static void append(List<Extent> out, long logical, long physical, long length) {
        while (length > 0) {
            if (!out.isEmpty()) {
                Extent last = out.getLast();
                if (!last.unwritten() && last.logicalEnd() == logical && last.physical() + last.length() == physical
                        && last.length() < Extent.MAX_LEN) {
                    int add = (int) Math.min(length, Extent.MAX_LEN - last.length());
                    out.set(out.size() - 1, new Extent(last.logical(), last.physical(), last.length() + add, false));
                    logical += add;
                    physical += add;
                    length -= add;
                    continue;
                }
            }
            int n = (int) Math.min(length, Extent.MAX_LEN);
            out.add(new Extent(logical, physical, n, false));
            logical += n;
            physical += n;
            length -= n;
        }
    }
}
