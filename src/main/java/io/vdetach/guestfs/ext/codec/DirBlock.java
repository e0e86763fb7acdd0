package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory block (or inline-data region) of linear entries ("Linear (Classic) Directories"):
 * the entries tile it exactly, rec_len chaining each to the next. With metadata_csum a block ends
 * in ext4_dir_entry_tail, a 12-byte unused entry (file_type 0xDE) holding crc32c(inode seed, the
 * block before it). Hash-tree blocks read the same way: interior nodes are one unused entry
 * spanning the block, the root's index hides in the rec_len of "..".
 *
 * @param tail whether the block ends in ext4_dir_entry_tail (not among {@code entries})
 */
public record DirBlock(List<Ext4DirEntry> entries, boolean tail) {
    public static final int TAIL = 12;
    private static final int TAIL_FILE_TYPE = 0xDE;

    /**
     * Parses {@code [at, at + length)} of {@code b}, which lies at {@code offset} in the volume and
     * belongs to directory {@code dirInode}.
     */
    public static DirBlock parse(ByteBuffer src, int at, int length, long offset, Ext4SuperBlock sb, long dirInode) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        boolean fileType = sb.has(Feature.FILETYPE);
        boolean tails = sb.has(Feature.METADATA_CSUM) && length == sb.blockSize();
        List<Ext4DirEntry> out = new ArrayList<>();
        int end = at + length;
        int pos = at;
        boolean tail = false;
        while (pos < end) {
            long entryOffset = offset + (pos - at);
            if (end - pos < Ext4DirEntry.HEADER) fail(sb, dirInode, entryOffset, "entry header cut by the end of the block");
            long ino = b.getInt(pos) & 0xFFFFFFFFL;
            int recLen = recLen(b.getShort(pos + 4) & 0xFFFF, sb.blockSize());
            int nameLen = fileType ? b.get(pos + 6) & 0xFF : b.getShort(pos + 6) & 0xFFFF;
            int type = fileType ? b.get(pos + 7) & 0xFF : Ext4DirEntry.FT_UNKNOWN;
            if (recLen < Ext4DirEntry.HEADER || (recLen & 3) != 0) fail(sb, dirInode, entryOffset, "rec_len " + recLen);
            if (recLen > end - pos) fail(sb, dirInode, entryOffset, "rec_len " + recLen + " runs past the block");
            byte[] name = new byte[0];
            if (ino != 0) {
                if (nameLen == 0 || nameLen > recLen - Ext4DirEntry.HEADER) {
                    fail(sb, dirInode, entryOffset, "name_len " + nameLen + " in a record of " + recLen);
                }
                if (ino > sb.inodesCount()) fail(sb, dirInode, entryOffset, "inode " + ino + " above s_inodes_count");
                name = new byte[nameLen];
                b.get(pos + Ext4DirEntry.HEADER, name);
            }
            if (tails && ino == 0 && recLen == TAIL && pos == end - TAIL && nameLen == 0 && type == TAIL_FILE_TYPE) tail = true;
            else out.add(new Ext4DirEntry(ino, recLen, type, name));
            pos += recLen;
        }
        return new DirBlock(out, tail);
    }

    /** With 64 KiB blocks a record spanning the whole block cannot be stored in 16 bits. */
    private static int recLen(int stored, int blockSize) {
        if (blockSize < 65536) return stored;
        if (stored == 65535 || stored == 0) return blockSize;
        return (stored & 65532) | ((stored & 3) << 16);
    }

    private static void fail(Ext4SuperBlock sb, long dirInode, long offset, String detail) {
        throw new CorruptImageException(sb.typeName(), "directory entry of inode " + dirInode, offset, detail);
    }

    /** Checks the tail's checksum of {@code block} (at {@code offset} in the volume) against the directory's seed. */
    public static void verifyTail(ByteBuffer block, int inodeSeed, Ext4SuperBlock sb, long dirInode, long offset) {
        int t = sb.blockSize() - TAIL;
        byte[] bytes = new byte[t];
        block.get(0, bytes);
        if (block.order(ByteOrder.LITTLE_ENDIAN).getInt(t + 8) != Crc32c.update(inodeSeed, bytes, 0, t)) {
            throw new CorruptImageException(sb.typeName(), "directory block of inode " + dirInode, offset + t + 8, "checksum mismatch");
        }
    }

    /** Byte offset of entry {@code i} in the block. */
    public int offsetOf(int i) {
        int off = 0;
        for (int k = 0; k < i; k++) off += entries.get(k).recLen();
        return off;
    }

    /** An htree interior node: one unused entry spanning the whole block (dx_node's fake entry). */
    public boolean isDxNode(int blockSize) {
        return entries.size() == 1 && entries.getFirst().inode() == 0 && entries.getFirst().recLen() == blockSize;
    }

    /** The block as {@code blockSize} bytes, its tail (if any) checksummed with the directory's {@code inodeSeed}. */
    public byte[] serialise(int blockSize, int inodeSeed) {
        byte[] out = new byte[blockSize];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        for (Ext4DirEntry e : entries) {
            put(b, pos, e);
            pos += e.recLen();
        }
        if (pos != blockSize - (tail ? TAIL : 0)) throw new IllegalStateException("directory entries cover " + pos + " bytes");
        if (tail) {
            put(b, pos, new Ext4DirEntry(0, TAIL, TAIL_FILE_TYPE, new byte[0]));
            b.putInt(pos + 8, Crc32c.update(inodeSeed, out, 0, pos));
        }
        return out;
    }

    private static void put(ByteBuffer b, int at, Ext4DirEntry e) {
        // A rec_len of 65536 (a whole 64 KiB block) is stored as 65535 (ext4_rec_len_to_disk).
        b.putInt(at, (int) e.inode()).putShort(at + 4, (short) (e.recLen() == 65536 ? 65535 : e.recLen()));
        b.put(at + 6, (byte) e.name().length).put(at + 7, (byte) e.fileType()).put(at + Ext4DirEntry.HEADER, e.name());
    }
}
