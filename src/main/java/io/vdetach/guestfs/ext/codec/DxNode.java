package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The index of an htree node ("Hash Tree Directories"): dx_countlimit (limit u16, count u16, in
 * place of the first entry's hash), then count dx_entry. In an interior node block it follows an
 * unused entry spanning the block (dx_node); in the root it follows dx_root_info ({@link DxRoot}).
 * With metadata_csum, dx_tail (reserved u32, crc32c) follows limit entries and limit is one less.
 */
public record DxNode(int limit, List<DxEntry> entries) {
    /** Where the index starts in an interior node block: after its 8-byte fake entry. */
    public static final int NODE_AT = 8;

    /** Parses the index at {@code at} of a directory block of {@code b.limit()} bytes. */
    static DxNode parse(ByteBuffer b, int at, String fs, String structure, long offset) {
        int limit = b.getShort(at) & 0xFFFF;
        int count = b.getShort(at + 2) & 0xFFFF;
        if (count == 0 || count > limit || at + 8L * limit > b.limit()) {
            throw new CorruptImageException(fs, structure, offset + at, "bad index (count " + count + ", limit " + limit + ")");
        }
        List<DxEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long hash = i == 0 ? 0 : b.getInt(at + 8 * i) & 0xFFFFFFFFL;
            entries.add(new DxEntry(hash, b.getInt(at + 8 * i + 4) & DxEntry.BLOCK_MASK));
        }
        return new DxNode(limit, entries);
    }

    /** Parses an interior node block (at {@code offset} in the volume). */
    public static DxNode parseBlock(ByteBuffer src, Ext4SuperBlock sb, long dirInode, long offset) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return parse(b, NODE_AT, sb.typeName(), "htree node of directory inode " + dirInode, offset);
    }

    /** The entry whose range holds {@code hash}: the last one whose hash is not above it. */
    public DxEntry childFor(long hash) {
        DxEntry at = entries.getFirst();
        for (DxEntry e : entries) {
            if (e.hash() > hash) break;
            at = e;
        }
        return at;
    }

    /** Entries a node of {@code blockSize} holds from byte {@code at}, a dx_tail taking one with metadata_csum. */
    public static int limit(int blockSize, int at, boolean csum) { return (blockSize - at) / 8 - (csum ? 1 : 0); }

    void serialise(ByteBuffer b, int at) {
        b.putShort(at, (short) limit).putShort(at + 2, (short) entries.size()).putInt(at + 4, (int) entries.getFirst().block());
        for (int i = 1; i < entries.size(); i++) b.putInt(at + 8 * i, (int) entries.get(i).hash()).putInt(at + 8 * i + 4, (int) entries.get(i).block());
    }

    /**
     * Writes dx_tail after {@code limit} entries: crc32c(inode seed, the block up to the last used
     * entry, then the tail with its checksum zero).
     */
    void tail(byte[] block, int at, int inodeSeed) {
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        int t = at + 8 * limit;
        b.putInt(t, 0).putInt(t + 4, 0);
        int c = Crc32c.update(inodeSeed, block, 0, at + 8 * entries.size());
        b.putInt(t + 4, Crc32c.update(c, block, t, 8));
    }

    /** An interior node block: the fake entry spanning it, the index, and (with a seed) the dx_tail. */
    public byte[] serialiseBlock(int blockSize, Integer inodeSeed) {
        byte[] out = new DirBlock(List.of(new Ext4DirEntry(0, blockSize, 0, new byte[0])), false).serialise(blockSize, 0);
        serialise(ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN), NODE_AT);
        if (inodeSeed != null) tail(out, NODE_AT, inodeSeed);
        return out;
    }
}
