package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One extent-tree node ("Extent Tree"): its header, then leaf extents (depth 0) or index
 * entries; a node in a block ends with ext4_extent_tail, crc32c(inode seed, the node up to the
 * tail), right after eh_max entries, when metadata_csum is on.
 */
public record ExtentNode(Ext4ExtentHeader header, List<Ext4Extent> extents, List<Ext4ExtentIdx> indexes) {

    public static ExtentNode parse(ByteBuffer b, int at, int nodeBytes, String fs, String structure, long offset) {
        Ext4ExtentHeader h = Ext4ExtentHeader.parse(b, at, nodeBytes, fs, structure, offset);
        List<Ext4Extent> leaves = new ArrayList<>(h.depth() == 0 ? h.entries() : 0);
        List<Ext4ExtentIdx> index = new ArrayList<>(h.depth() == 0 ? 0 : h.entries());
        for (int i = 0; i < h.entries(); i++) {
            int e = at + Ext4ExtentHeader.SIZE + 12 * i;
            if (h.depth() == 0) leaves.add(Ext4Extent.parse(b, e));
            else index.add(Ext4ExtentIdx.parse(b, e));
        }
        return new ExtentNode(h, leaves, index);
    }

    /** A leaf node of {@code extents} with room for {@code max}. */
    public static ExtentNode leaf(List<Ext4Extent> extents, int max) {
        return new ExtentNode(new Ext4ExtentHeader(Ext4ExtentHeader.MAGIC, extents.size(), max, 0, 0), extents, List.of());
    }

    /** An index node of depth {@code depth} over {@code indexes} with room for {@code max}. */
    public static ExtentNode index(List<Ext4ExtentIdx> indexes, int max, int depth) {
        return new ExtentNode(new Ext4ExtentHeader(Ext4ExtentHeader.MAGIC, indexes.size(), max, depth, 0), List.of(), indexes);
    }

    /** Byte offset of the tail in a node block. */
    public int tailOffset() { return Ext4ExtentHeader.SIZE + 12 * header.max(); }

    /** Checks the tail of this node, read from {@code block} at {@code offset}, against the owner's seed. */
    public void verifyTail(ByteBuffer block, int inodeSeed, String fs, String structure, long offset) {
        int t = tailOffset();
        byte[] bytes = new byte[t];
        block.get(0, bytes);
        if (block.order(ByteOrder.LITTLE_ENDIAN).getInt(t) != Crc32c.update(inodeSeed, bytes, 0, t)) {
            throw new CorruptImageException(fs, structure, offset + t, "checksum mismatch");
        }
    }

    /**
     * The node as {@code nodeBytes} bytes; in a block (a {@code tailSeed} given, metadata_csum)
     * with its tail, in i_block (null) without.
     */
    public byte[] serialise(int nodeBytes, Integer tailSeed) {
        byte[] out = new byte[nodeBytes];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        header.serialise(b, 0);
        for (int i = 0; i < extents.size(); i++) extents.get(i).serialise(b, Ext4ExtentHeader.SIZE + 12 * i);
        for (int i = 0; i < indexes.size(); i++) indexes.get(i).serialise(b, Ext4ExtentHeader.SIZE + 12 * i);
        if (tailSeed != null) b.putInt(tailOffset(), Crc32c.update(tailSeed, out, 0, tailOffset()));
        return out;
    }
}
