package io.vdetach.apply.offline;

import io.vdetach.apply.offline.ext4.DirBlock;
import io.vdetach.apply.offline.ext4.Ext4Inode;
import io.vdetach.apply.offline.ext4.Ext4Volume;
import io.vdetach.apply.offline.ext4.Extent;
import io.vdetach.apply.offline.ext4.ExtentTree;
import io.vdetach.apply.offline.ext4.Htree;
import io.vdetach.error.HostException;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes to directories that already exist in the host: the image's entry goes, the
 * destination's entry comes (into the right htree leaf, or a linear block), times and link
 * counts follow.
 */
final class HostDirectories {
    /** ext4 keeps directory link counts below this and uses 1 beyond (dir_nlink; EXT4_LINK_MAX). */
    static final int LINK_MAX = 65000;

    private final Ext4Volume fs;
    private final BlockSource blocks;
    private final List<String> notes;
    private final Instant now;
    private final int bs;

    HostDirectories(Ext4Volume fs, BlockSource blocks, List<String> notes, Instant now) {
        this.fs = fs;
        this.blocks = blocks;
        this.notes = notes;
        this.now = now;
        this.bs = fs.blockSize();
    }


    /** Removes the image's entry from its directory (merging it into the previous one). */
    void removeEntry(long dirIno, byte[] name, long ino) throws IOException {
        for (OfflineSession.DirHit h : OfflineSession.scanDir(fs, dirIno)) {
            DirBlock.Entry e = h.entry();
            if (e.inode() != ino || !java.util.Arrays.equals(e.name(), name)) continue;
            byte[] blk = fs.blockForWrite(h.block());
            List<DirBlock.Entry> all = DirBlock.parse(blk, h.block(), "inode " + dirIno);
            DirBlock.Entry prev = null;
            for (DirBlock.Entry x : all) {
                if (x.offset() == e.offset()) break;
                prev = x;
            }
            if (prev == null) DirBlock.setInode(blk, e.offset(), 0);
            else {
                DirBlock.setRecLen(blk, prev.offset(), prev.recLen() + e.recLen());
                java.util.Arrays.fill(blk, e.offset(), e.offset() + 8, (byte) 0);
            }
            sealDirBlock(dirIno, blk);
            touch(dirIno, 0);
            return;
        }
        throw new HostException("directory entry of the image vanished");
    }

    private void sealDirBlock(long dirIno, byte[] blk) throws IOException {
        if (fs.csum() && DirBlock.hasTail(blk)) DirBlock.writeTail(blk, fs.inode(dirIno).csumSeed(fs.seed()));
    }

    /** Updates a host directory's times and link count. */
    void touch(long dirIno, int linkDelta) throws IOException {
        Ext4Inode d = fs.inode(dirIno);
        d.setMtimeCtime(now);
        if (linkDelta != 0 && d.linksCount() != 1) {
            int n = d.linksCount() + linkDelta;
            d.setLinksCount(n >= LINK_MAX ? 1 : n);
        }
        fs.writeInode(d);
    }

    /**
     * Adds an entry to a host directory: into the leaf its hash selects when the directory is an
     * htree with room there; else the index is dropped (a linear directory is always valid, and
     * e2fsck -D rebuilds it) and the entry goes into the first block with room, or a new block.
     */
    void addEntry(long dirIno, byte[] name, long ino, int type) throws IOException {
        Ext4Inode d = fs.inode(dirIno);
        if ((d.flags() & Ext4Inode.FL_INDEX) != 0) {
            List<Extent> ex = ExtentTree.read(fs, d).extents();
            Htree.LogicalReader reader = l -> fs.block(physOf(ex, l, dirIno));
            long leaf = Htree.leafFor(name, reader, fs.superblock(), "inode " + dirIno);
            if (insertInBlock(dirIno, physOf(ex, leaf, dirIno), name, ino, type)) return;
            dropIndex(dirIno, ex, reader);
            d = fs.inode(dirIno);
        }
        for (OfflineSession.DirHit h : OfflineSession.scanDir(fs, dirIno)) {
            if (h.entry().offset() == 0 && insertInBlock(dirIno, h.block(), name, ino, type)) return;
        }
        int tail = fs.csum() ? DirBlock.TAIL : 0;
        // no room: append one block
        ExtentTree.Contents c = ExtentTree.read(fs, d);
        long logical = Math.ceilDiv(d.size(), bs);
        long blk = blocks.allocBlock();
        byte[] b = fs.freshBlock(blk);
        DirBlock.putEntry(b, 0, ino, bs - tail, name, type);
        if (fs.csum()) DirBlock.writeTail(b, d.csumSeed(fs.seed()));
        List<Extent> ex = new ArrayList<>(c.extents());
        ExtentTree.append(ex, logical, blk, 1);
        for (long tb : c.treeBlocks()) fs.setBlocks(tb, 1, false);
        ExtentTree.Built t = blocks.writeTree(ex, d);
        d.setIBlock(t.root());
        d.setSize((logical + 1) * bs);
        d.setBlocks512(d.blocks512() + (1 + t.treeBlocks() - c.treeBlocks().size()) * (long) (bs / 512));
        fs.writeInode(d);
    }

    private long physOf(List<Extent> ex, long logical, long dirIno) {
        for (Extent e : ex) {
            if (logical >= e.logical() && logical < e.logicalEnd() && !e.unwritten()) return e.physical() + (logical - e.logical());
        }
        throw new HostException("host ext4: htree directory inode " + dirIno + " points at block " + logical + " it does not have");
    }

    /** Puts the entry into block {@code blk} of the directory if some entry there has room after it. */
    private boolean insertInBlock(long dirIno, long blk, byte[] name, long ino, int type) throws IOException {
        int need = DirBlock.need(name.length);
        int tail = fs.csum() ? DirBlock.TAIL : 0;
        for (DirBlock.Entry e : DirBlock.parse(fs.block(blk), blk, "inode " + dirIno)) {
            if (tail > 0 && e.offset() == bs - tail && e.inode() == 0 && e.recLen() == tail) continue;
            int used = e.inode() == 0 ? 0 : DirBlock.need(e.name().length);
            if (e.recLen() - used < need) continue;
            byte[] b = fs.blockForWrite(blk);
            if (used == 0) {
                DirBlock.putEntry(b, e.offset(), ino, e.recLen(), name, type);
            } else {
                DirBlock.setRecLen(b, e.offset(), used);
                DirBlock.putEntry(b, e.offset() + used, ino, e.recLen() - used, name, type);
            }
            sealDirBlock(dirIno, b);
            return true;
        }
        return false;
    }

    /** Turns an htree directory into a linear one: the root and index blocks become empty leaves. */
    private void dropIndex(long dirIno, List<Extent> ex, Htree.LogicalReader reader) throws IOException {
        int tail = fs.csum() ? DirBlock.TAIL : 0;
        List<Long> index = Htree.indexBlocks(reader, "inode " + dirIno);
        byte[] root = fs.blockForWrite(physOf(ex, 0, dirIno));
        java.util.Arrays.fill(root, 24, bs, (byte) 0);
        DirBlock.setRecLen(root, 12, bs - 12 - tail);
        for (long l : index) {
            byte[] b = fs.blockForWrite(physOf(ex, l, dirIno));
            java.util.Arrays.fill(b, (byte) 0);
            DirBlock.putEntry(b, 0, 0, bs - tail, new byte[0], 0);
        }
        Ext4Inode d = fs.inode(dirIno);
        d.setFlags(d.flags() & ~Ext4Inode.FL_INDEX);
        notes.add("host directory inode " + dirIno + " had a full htree leaf for the new name; its index was dropped"
                + " (it is a valid linear directory; e2fsck -fD re-indexes it)");
        fs.writeInode(d);
        int seed = d.csumSeed(fs.seed());
        if (tail > 0) {
            DirBlock.writeTail(root, seed);
            for (long l : index) DirBlock.writeTail(fs.blockForWrite(physOf(ex, l, dirIno)), seed);
        }
    }

}
