package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * dx_root, logical block 0 of a hash-tree directory ("Hash Tree Directories"): "." (rec_len 12)
 * and ".." (spanning the block), then dx_root_info at byte 24 (reserved_zero u32, hash_version,
 * info_length 8, indirect_levels, unused_flags), then the index ({@link DxNode}) at byte 32.
 *
 * @param self the directory (".")
 * @param parent its parent ("..")
 * @param indirectLevels index levels below the root: at most 1, or 2 with large_dir
 */
public record DxRoot(long self, long parent, int hashVersion, int indirectLevels, DxNode index) {
    public static final int INDEX_AT = 32;
    private static final int INFO_AT = 24;
    private static final int INFO_LENGTH = 8;
    /** dx_root_info.indirect_levels is below 3 (2 with large_dir). */
    static final int MAX_LEVELS = 3;

    /** Parses block {@code b} (at {@code offset} in the volume) of directory {@code dirInode}. */
    public static DxRoot parse(ByteBuffer src, Ext4SuperBlock sb, long dirInode, long offset) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        String structure = "htree root of directory inode " + dirInode;
        int infoLength = b.get(INFO_AT + 5) & 0xFF;
        int levels = b.get(INFO_AT + 6) & 0xFF;
        if (infoLength != INFO_LENGTH) throw new CorruptImageException(sb.typeName(), structure, offset + INFO_AT + 5, "info_length " + infoLength);
        if (levels >= MAX_LEVELS) throw new CorruptImageException(sb.typeName(), structure, offset + INFO_AT + 6, "indirect_levels " + levels);
        DxNode index = DxNode.parse(b, INDEX_AT, sb.typeName(), structure, offset);
        return new DxRoot(b.getInt(0) & 0xFFFFFFFFL, b.getInt(12) & 0xFFFFFFFFL, b.get(INFO_AT + 4) & 0xFF, levels, index);
    }

    /** The hash version names are hashed with, the unsigned-char variant when s_flags says so. */
    public int hashVersion(Ext4SuperBlock sb) { return sb.dxHashVersion(hashVersion); }

    /** The root block, with dx_tail when a seed is given (metadata_csum). */
    public byte[] serialise(int blockSize, Integer inodeSeed) {
        byte[] out = new DirBlock(List.of(new Ext4DirEntry(self, 12, Ext4DirEntry.FT_DIR, new byte[] {'.'}),
                new Ext4DirEntry(parent, blockSize - 12, Ext4DirEntry.FT_DIR, new byte[] {'.', '.'})), false).serialise(blockSize, 0);
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.put(INFO_AT + 4, (byte) hashVersion).put(INFO_AT + 5, (byte) INFO_LENGTH).put(INFO_AT + 6, (byte) indirectLevels);
        index.serialise(b, INDEX_AT);
        if (inodeSeed != null) index.tail(out, INDEX_AT, inodeSeed);
        return out;
    }
}
