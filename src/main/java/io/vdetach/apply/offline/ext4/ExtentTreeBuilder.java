package io.vdetach.apply.offline.ext4;

import io.vdetach.error.HostException;
import io.vdetach.guestfs.ext.codec.Ext4Extent;
import io.vdetach.guestfs.ext.codec.Ext4ExtentHeader;
import io.vdetach.guestfs.ext.codec.Ext4ExtentIdx;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.ExtentNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the smallest extent tree ("Extent Tree") holding a file's extents: depth 0 when 4 fit in
 * i_block, else full leaf blocks and as many index levels as needed, each block serialised by the
 * codec with its checksum tail.
 */
public final class ExtentTreeBuilder {
    private ExtentTreeBuilder() {}

    /** Allocates tree blocks and stores them. */
    public interface BlockSink {
        long allocate() throws IOException;

        /** Stores the finished node block {@code data} at {@code block}. */
        void write(long block, byte[] data) throws IOException;
    }

    /** A built tree: the 60 bytes for i_block and the number of tree blocks it needed. */
    public record Built(byte[] root, int treeBlocks) {}

    /** i_block of a file without data: an empty leaf root. */
    public static byte[] emptyRoot() {
        return ExtentNode.leaf(List.of(), 4).serialise(Ext4Inode.BLOCK_BYTES, null);
    }

    /**
     * Builds the tree of {@code extents} (sorted, non-overlapping, each at most {@link Ext4Extent#MAX_LEN});
     * {@code tailSeed} is the owner's checksum seed with metadata_csum, else null.
     */
    public static Built build(List<Ext4Extent> extents, int blockSize, Integer tailSeed, BlockSink sink) throws IOException {
        int inRoot = Ext4ExtentHeader.capacity(Ext4Inode.BLOCK_BYTES);
        if (extents.size() <= inRoot) return new Built(ExtentNode.leaf(extents, inRoot).serialise(Ext4Inode.BLOCK_BYTES, null), 0);
        int perBlock = Ext4ExtentHeader.capacity(blockSize);
        int blocks = 0;
        List<Ext4ExtentIdx> level = new ArrayList<>();
        for (int i = 0; i < extents.size(); i += perBlock) {
            List<Ext4Extent> part = extents.subList(i, Math.min(extents.size(), i + perBlock));
            long blk = sink.allocate();
            sink.write(blk, ExtentNode.leaf(part, perBlock).serialise(blockSize, tailSeed));
            blocks++;
            level.add(new Ext4ExtentIdx(part.getFirst().logical(), blk));
        }
        int depth = 1;
        while (level.size() > inRoot) {
            List<Ext4ExtentIdx> up = new ArrayList<>();
            for (int i = 0; i < level.size(); i += perBlock) {
                List<Ext4ExtentIdx> part = level.subList(i, Math.min(level.size(), i + perBlock));
                long blk = sink.allocate();
                sink.write(blk, ExtentNode.index(part, perBlock, depth).serialise(blockSize, tailSeed));
                blocks++;
                up.add(new Ext4ExtentIdx(part.getFirst().logical(), blk));
            }
            level = up;
            depth++;
            if (depth > Ext4ExtentHeader.MAX_DEPTH) {
                throw new HostException("a file needs an extent tree deeper than the " + Ext4ExtentHeader.MAX_DEPTH + " levels ext4 allows");
            }
        }
        return new Built(ExtentNode.index(level, inRoot, depth).serialise(Ext4Inode.BLOCK_BYTES, null), blocks);
    }

    /** Appends a run of blocks, merged into the last extent where contiguous, split at {@link Ext4Extent#MAX_LEN}. */
    public static void append(List<Ext4Extent> out, long logical, long physical, long length) {
        while (length > 0) {
            if (!out.isEmpty()) {
                Ext4Extent last = out.getLast();
                if (!last.unwritten() && last.logicalEnd() == logical && last.physical() + last.length() == physical
                        && last.length() < Ext4Extent.MAX_LEN) {
                    int add = (int) Math.min(length, Ext4Extent.MAX_LEN - last.length());
                    out.set(out.size() - 1, new Ext4Extent(last.logical(), last.length() + add, false, last.physical()));
                    logical += add;
                    physical += add;
                    length -= add;
                    continue;
                }
            }
            int n = (int) Math.min(length, Ext4Extent.MAX_LEN);
            out.add(new Ext4Extent(logical, n, false, physical));
            logical += n;
            physical += n;
            length -= n;
        }
    }
}
