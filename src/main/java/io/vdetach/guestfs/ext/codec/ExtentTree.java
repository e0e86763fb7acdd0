package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

/**
 * Walks an inode's extent tree ("Extent Tree") and hands its leaf extents over in logical order.
 * Bounded: each child is exactly one level shallower than its parent, no tree block is visited
 * twice (loops, shared subtrees), entries come in increasing logical order and no extent overlaps
 * the previous one, and every block lies inside the filesystem; so a walk reads at most every
 * block once, whatever the tree claims.
 */
public final class ExtentTree {

    /** One filesystem block, read from wherever the caller keeps the volume. */
    @FunctionalInterface
    public interface Blocks {
        ByteBuffer read(long block) throws IOException;
    }

    /** Receives the leaf extents, with where each lies for messages, and the tree's own blocks. */
    public interface Visitor {
        void extent(Ext4Extent extent, long entryOffset) throws IOException;

        default void treeBlock(long block) { }
    }

    private final Ext4SuperBlock sb;
    private final Blocks blocks;
    private final Visitor visitor;
    private final long endBlock;
    private final Integer seed;
    private final String fs;
    private final String structure;
    private final Set<Long> visited = new HashSet<>();
    private long nextLogical;

    private ExtentTree(Ext4Inode inode, Ext4SuperBlock sb, Blocks blocks, long endBlock, boolean verify, Visitor visitor) {
        this.sb = sb;
        this.blocks = blocks;
        this.visitor = visitor;
        this.endBlock = endBlock;
        this.seed = verify && sb.has(Feature.METADATA_CSUM) ? inode.csumSeed(sb) : null;
        this.fs = sb.typeName();
        this.structure = "extent tree of inode " + inode.number();
    }

    /**
     * Walks the tree rooted in {@code inode}'s i_block, skipping what starts at or past logical block
     * {@code endBlock}; with {@code verify}, tree blocks must match their checksums (metadata_csum).
     */
    public static void walk(Ext4Inode inode, Ext4SuperBlock sb, Blocks blocks, long endBlock, boolean verify, Visitor visitor)
            throws IOException {
        ExtentTree t = new ExtentTree(inode, sb, blocks, endBlock, verify, visitor);
        long rootOffset = inode.offset() + Ext4Inode.I_BLOCK;
        ByteBuffer root = ByteBuffer.wrap(inode.block()).order(ByteOrder.LITTLE_ENDIAN);
        t.node(ExtentNode.parse(root, 0, Ext4Inode.BLOCK_BYTES, t.fs, t.structure, rootOffset), rootOffset);
    }

    private void node(ExtentNode n, long nodeOffset) throws IOException {
        int depth = n.header().depth();
        long last = -1;
        for (int i = 0; i < n.header().entries(); i++) {
            long entryOffset = nodeOffset + Ext4ExtentHeader.SIZE + 12L * i;
            long logical = depth == 0 ? n.extents().get(i).logical() : n.indexes().get(i).logical();
            if (i > 0 && logical <= last) fail(entryOffset, "entries out of logical order");
            last = logical;
            // What starts past the file's end holds nothing that is read.
            if (logical >= endBlock) continue;
            if (depth == 0) leaf(n.extents().get(i), entryOffset);
            else child(n.indexes().get(i).leaf(), depth, entryOffset);
        }
    }

    private void leaf(Ext4Extent e, long entryOffset) throws IOException {
        if (e.length() == 0) fail(entryOffset, "extent of 0 blocks");
        if (e.logical() < nextLogical) {
            fail(entryOffset, "logical block " + e.logical() + " overlaps or precedes the previous mapping (ends at " + nextLogical + ")");
        }
        // Block first_data_block holds the superblock: no file data can lie there or before it.
        long p = e.physical();
        if (p <= sb.firstDataBlock() || p > sb.blocksCount() || e.length() > sb.blocksCount() - p) {
            fail(entryOffset, "blocks " + p + "+" + e.length() + " lie outside the volume (" + sb.blocksCount() + " blocks)");
        }
        nextLogical = e.logicalEnd();
        visitor.extent(e, entryOffset);
    }

    private void child(long block, int depth, long entryOffset) throws IOException {
        if (block <= sb.firstDataBlock() || block >= sb.blocksCount()) {
            fail(entryOffset, "index points at block " + block + " outside the volume");
        }
        if (!visited.add(block)) fail(entryOffset, "tree block " + block + " reached twice (loop)");
        visitor.treeBlock(block);
        long offset = block * sb.blockSize();
        ByteBuffer b = blocks.read(block).order(ByteOrder.LITTLE_ENDIAN);
        ExtentNode c = ExtentNode.parse(b, 0, sb.blockSize(), fs, structure, offset);
        if (c.header().depth() != depth - 1) {
            fail(offset + 6, "node depth " + c.header().depth() + " under a node of depth " + depth);
        }
        if (seed != null) c.verifyTail(b, seed, fs, structure, offset);
        node(c, offset);
    }

    private void fail(long offset, String detail) {
        throw new CorruptImageException(fs, structure, offset, detail);
    }
}
