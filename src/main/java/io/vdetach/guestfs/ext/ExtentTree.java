package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

/**
 * Walks an inode's extent tree ("Extent Tree" in the ext4 disk layout) into {@link BlockRuns}.
 * Bounded: each child must be exactly one level shallower than its parent, no tree block is
 * visited twice (loops, shared subtrees), and leaves must come in increasing logical order.
 */
final class ExtentTree {
    private ExtentTree() {}

    /** ee_len above this marks an unwritten (preallocated) extent of ee_len - 32768 blocks. */
    private static final int INIT_MAX_LEN = 32768;

    static void collect(Layer volume, Superblock sb, Inode inode, BlockRuns out) throws IOException {
        ByteBuffer root = ByteBuffer.wrap(inode.block()).order(ByteOrder.LITTLE_ENDIAN);
        String structure = "extent tree of inode " + inode.number();
        long rootOffset = inode.offset() + 0x28;
        ExtentHeader h = ExtentHeader.parse(root, 0, Inode.BLOCK_BYTES, sb.typeName(), structure, rootOffset);
        walk(volume, sb, inode, root, h, rootOffset, out, new HashSet<>(), structure);
    }

    private static void walk(Layer volume, Superblock sb, Inode inode, ByteBuffer node, ExtentHeader h, long nodeOffset,
                             BlockRuns out, Set<Long> visited, String structure) throws IOException {
        long lastLogical = -1;
        for (int i = 0; i < h.entries(); i++) {
            int at = ExtentHeader.SIZE + 12 * i;
            long entryOffset = nodeOffset + at;
            long logical = Superblock.u32(node, at);
            if (logical <= lastLogical && i > 0) {
                throw new CorruptImageException(sb.typeName(), structure, entryOffset, "entries out of logical order");
            }
            lastLogical = logical;
            if (logical >= out.fileBlocks() && h.depth() == 0) continue;
            if (h.depth() == 0) {
                int len = node.getShort(at + 4) & 0xffff;
                long physical = (long) (node.getShort(at + 6) & 0xffff) << 32 | Superblock.u32(node, at + 8);
                boolean unwritten = len > INIT_MAX_LEN;
                if (unwritten) len -= INIT_MAX_LEN;
                if (len == 0) throw new CorruptImageException(sb.typeName(), structure, entryOffset, "extent of 0 blocks");
                out.add(logical, physical, len, unwritten, structure, entryOffset);
            } else {
                // An index whose range starts past the file's end covers nothing we read.
                if (logical >= out.fileBlocks()) continue;
                long child = Superblock.u32(node, at + 4) | (long) (node.getShort(at + 8) & 0xffff) << 32;
                if (child < sb.firstDataBlock() || child >= sb.blocksCount()) {
                    throw new CorruptImageException(sb.typeName(), structure, entryOffset,
                            "index points at block " + child + " outside the volume");
                }
                if (!visited.add(child)) {
                    throw new CorruptImageException(sb.typeName(), structure, entryOffset, "tree block " + child + " reached twice (loop)");
                }
                long childOffset = child * sb.blockSize();
                ByteBuffer b = volume.readBytes(childOffset, sb.blockSize());
                ExtentHeader ch = ExtentHeader.parse(b, 0, sb.blockSize(), sb.typeName(), structure, childOffset);
                if (ch.depth() != h.depth() - 1) {
                    throw new CorruptImageException(sb.typeName(), structure, childOffset + 6, "node depth " + ch.depth()
                            + " under a node of depth " + h.depth());
                }
                walk(volume, sb, inode, b, ch, childOffset, out, visited, structure);
            }
        }
    }
}
