package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * The ext2/ext3 block map ("Direct/Indirect Block Addressing"): 12 direct pointers, then a
 * single, double and triple indirect block. A zero pointer is a hole, for a whole subtree when
 * it is an indirect pointer. Only logical blocks below the file's size are followed, and no
 * indirect block is read twice.
 */
final class BlockMap {
    private BlockMap() {}

    static final int DIRECT = 12;

    static void collect(Layer volume, Ext4SuperBlock sb, Ext4Inode inode, BlockRuns out) throws IOException {
        String structure = "block map of inode " + inode.number();
        long slots = out.fileBlocks();
        for (int i = 0; i < DIRECT && i < slots; i++) {
            long p = inode.blockWord(i);
            if (p != 0) out.add(i, p, 1, false, structure, inode.offset() + 0x28 + 4L * i);
        }
        long perBlock = sb.blockSize() / 4;
        long logical = DIRECT;
        Set<Long> visited = new HashSet<>();
        for (int level = 1; level <= 3 && logical < slots; level++) {
            long span = pow(perBlock, level);
            long p = inode.blockWord(DIRECT + level - 1);
            if (p != 0) {
                indirect(volume, sb, p, level, logical, out, visited, structure, inode.offset() + 0x28 + 4L * (DIRECT + level - 1));
            }
            logical += span;
        }
    }

    private static void indirect(Layer volume, Ext4SuperBlock sb, long block, int level, long firstLogical, BlockRuns out,
                                 Set<Long> visited, String structure, long pointerOffset) throws IOException {
        if (block < sb.firstDataBlock() || block >= sb.blocksCount()) {
            throw new CorruptImageException(sb.typeName(), structure, pointerOffset, "indirect block " + block + " outside the volume");
        }
        if (!visited.add(block)) {
            throw new CorruptImageException(sb.typeName(), structure, pointerOffset, "indirect block " + block + " used twice");
        }
        long perBlock = sb.blockSize() / 4;
        long childSpan = pow(perBlock, level - 1);
        long offset = block * sb.blockSize();
        ByteBuffer b = volume.readBytes(offset, sb.blockSize());
        for (int i = 0; i < perBlock; i++) {
            long logical = firstLogical + i * childSpan;
            if (logical >= out.fileBlocks()) break;
            long p = b.getInt(4 * i) & 0xFFFFFFFFL;
            if (p == 0) continue;
            if (level == 1) out.add(logical, p, 1, false, structure, offset + 4L * i);
            else indirect(volume, sb, p, level - 1, logical, out, visited, structure, offset + 4L * i);
        }
    }

    private static long pow(long base, int exp) {
        long r = 1;
        for (int i = 0; i < exp; i++) r *= base;
        return r;
    }
}
