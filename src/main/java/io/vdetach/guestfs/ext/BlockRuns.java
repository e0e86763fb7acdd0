package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;

/**
 * Collects a file's block mapping (logical block &rarr; volume block, or unwritten), given in
 * increasing logical order, merging contiguous blocks into one run, and bounding the work: a
 * file cannot own more blocks than its filesystem has, whatever its metadata claims.
 */
final class BlockRuns {
    private final Ext4SuperBlock sb;
    private final Layer volume;
    private final long inode;
    private final long fileBlocks;
    private final RunTable.Builder table;
    private long mappedBlocks;
    // The run being grown: logical start, physical start (-1 for unwritten), length in blocks.
    private long runLogical = -1;
    private long runPhysical;
    private long runLength;

    BlockRuns(Ext4SuperBlock sb, Layer volume, long inode, long size) {
        this.sb = sb;
        this.volume = volume;
        this.inode = inode;
        this.fileBlocks = (size + sb.blockSize() - 1) / sb.blockSize();
        this.table = RunTable.builder(size);
    }

    /** Logical blocks below this hold file data (size rounded up); later blocks are ignored. */
    long fileBlocks() { return fileBlocks; }

    /**
     * Adds {@code count} blocks at {@code logical} stored at {@code physical} (or unwritten:
     * zeros). Blocks at or past {@link #fileBlocks()} are dropped.
     */
    void add(long logical, long physical, long count, boolean unwritten, String structure, long offset) {
        if (count <= 0) return;
        // Block first_data_block holds the superblock: no file data can lie there or before it.
        if (physical <= sb.firstDataBlock() || physical > sb.blocksCount() || count > sb.blocksCount() - physical) {
            throw new CorruptImageException(sb.typeName(), structure, offset, "blocks " + physical + "+" + count
                    + " lie outside the volume (" + sb.blocksCount() + " blocks)");
        }
        mappedBlocks += count;
        if (mappedBlocks > sb.blocksCount()) {
            throw new CorruptImageException(sb.typeName(), structure, offset, "inode " + inode
                    + " maps more blocks than the filesystem has");
        }
        if (logical >= fileBlocks) return;
        count = Math.min(count, fileBlocks - logical);
        long phys = unwritten ? -1 : physical;
        if (runLogical >= 0 && runLogical + runLength == logical
                && (phys == -1 ? runPhysical == -1 : runPhysical != -1 && runPhysical + runLength == phys)) {
            runLength += count;
            return;
        }
        flush();
        runLogical = logical;
        runPhysical = phys;
        runLength = count;
    }

    private void flush() {
        if (runLogical < 0) return;
        long bs = sb.blockSize();
        long start = runLogical * bs;
        long length = runLength * bs;
        table.add(runPhysical < 0 ? new Run.Hole(start, length) : new Run.Mapped(start, length, volume, runPhysical * bs));
        runLogical = -1;
    }

    RunTable build() {
        flush();
        return table.build();
    }
}
