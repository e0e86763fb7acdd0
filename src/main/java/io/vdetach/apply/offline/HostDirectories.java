package io.vdetach.apply.offline;

import io.vdetach.apply.offline.ext4.Ext4Volume;
import io.vdetach.apply.offline.ext4.ExtentTreeBuilder;
import io.vdetach.apply.offline.ext4.HostDamageException;
import io.vdetach.error.HostException;
import io.vdetach.guestfs.ext.codec.DirBlock;
import io.vdetach.guestfs.ext.codec.DxHash;
import io.vdetach.guestfs.ext.codec.DxNode;
import io.vdetach.guestfs.ext.codec.DxRoot;
import io.vdetach.guestfs.ext.codec.Ext4DirEntry;
import io.vdetach.guestfs.ext.codec.Ext4Extent;
import io.vdetach.guestfs.ext.codec.Ext4Inode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Directories that already exist in the host: paths are looked up in them, the image's entry
 * goes, the destination's entry comes (into the right htree leaf, or a linear block), times and
 * link counts follow. Every block is read and written as codec records.
 */
final class HostDirectories {
    /** ext4 keeps directory link counts below this and uses 1 beyond (dir_nlink; EXT4_LINK_MAX). */
    static final int LINK_MAX = 65000;
    static final int ROOT_INO = 2;
    /** Path components followed at most: deeper is no real path. */
    private static final int MAX_DEPTH = 4096;

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

    /** A name found in a directory: its inode, the directory holding it, and its file type. */
    record Lookup(long ino, long dirIno, int type) {}

    /** One block of a directory: where it is, which logical block it is, and its entries. */
    record HostBlock(long block, long logical, DirBlock content) {}

    /** Resolves an absolute or root-relative path; null when a component is missing. */
    static Lookup resolve(Ext4Volume fs, String path) throws IOException {
        long cur = ROOT_INO;
        long parent = ROOT_INO;
        int type = Ext4DirEntry.FT_DIR;
        int depth = 0;
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) throw new HostException("path " + path + " must not contain ..");
            if (type != Ext4DirEntry.FT_DIR) return null;
            if (++depth > MAX_DEPTH) throw new HostException("path " + path + " is too deep");
            long found = lookup(fs, cur, p.getBytes(StandardCharsets.UTF_8));
            if (found == 0) return null;
            type = Ext4DirEntry.fileType(fs.inode(found).mode());
            if (type == Ext4DirEntry.FT_SYMLINK) throw new HostException("path " + path + " goes through a symlink (" + p + "); give the real path");
            parent = cur;
            cur = found;
        }
        return new Lookup(cur, parent, type);
    }

    /** Looks {@code name} up in directory {@code dirIno} by reading every block (htree blocks read as linear). */
    static long lookup(Ext4Volume fs, long dirIno, byte[] name) throws IOException {
        for (HostBlock h : scanDir(fs, dirIno)) {
            for (Ext4DirEntry e : h.content().entries()) if (e.inode() != 0 && Arrays.equals(e.name(), name)) return e.inode();
        }
        return 0;
    }

    /** Every block of a directory, leaf checksums verified. */
    static List<HostBlock> scanDir(Ext4Volume fs, long dirIno) throws IOException {
        Ext4Inode d = fs.inode(dirIno);
        if (d.fileType() != Ext4Inode.S_IFDIR) throw new HostException(fs.name() + ": inode " + dirIno + " is not a directory");
        if (d.hasFlag(Ext4Inode.INLINE_DATA_FL) || !d.hasFlag(Ext4Inode.EXTENTS_FL)) {
            throw new HostException(fs.name() + ": host directory inode " + dirIno + " is inline or block-mapped; not handled");
        }
        List<HostBlock> out = new ArrayList<>();
        for (Ext4Extent e : fs.extents(d).extents()) {
            if (e.unwritten()) continue;
            for (int i = 0; i < e.length(); i++) {
                long blk = e.physical() + i;
                DirBlock b = fs.dirBlock(blk, d, false);
                // htree index blocks (the root, and nodes behind an entry spanning the block) carry a dx_tail
                // instead, and the kernel leaves a stale leaf tail in a converted root: check leaves only
                boolean index = d.hasFlag(Ext4Inode.INDEX_FL) && (e.logical() + i == 0 || b.isDxNode(fs.blockSize()));
                if (fs.csum() && !index && b.tail()) fs.dirBlock(blk, d, true);
                out.add(new HostBlock(blk, e.logical() + i, b));
            }
        }
        return out;
    }

    private void store(Ext4Inode dir, long block, DirBlock content) {
        fs.put(block, content.serialise(bs, fs.csum() ? dir.csumSeed(fs.superblock()) : 0));
    }

    /** Removes the image's entry from its directory (merging it into the previous one). */
    void removeEntry(long dirIno, byte[] name, long ino) throws IOException {
        Ext4Inode dir = fs.inode(dirIno);
        for (HostBlock h : scanDir(fs, dirIno)) {
            List<Ext4DirEntry> es = h.content().entries();
            for (int i = 0; i < es.size(); i++) {
                Ext4DirEntry e = es.get(i);
                if (e.inode() != ino || !Arrays.equals(e.name(), name)) continue;
                List<Ext4DirEntry> changed = new ArrayList<>(es);
                if (i == 0) {
                    changed.set(0, new Ext4DirEntry(0, e.recLen(), Ext4DirEntry.FT_UNKNOWN, new byte[0]));
                } else {
                    changed.set(i - 1, es.get(i - 1).withRecLen(es.get(i - 1).recLen() + e.recLen()));
                    changed.remove(i);
                }
                store(dir, h.block(), new DirBlock(changed, h.content().tail()));
                touch(dirIno, 0);
                return;
            }
        }
        throw new HostException(fs.name() + ": the image's directory entry vanished since the image was opened");
    }

    /** Updates a host directory's times and link count. */
    void touch(long dirIno, int linkDelta) throws IOException {
        Ext4Inode d = fs.inode(dirIno).withChanged(now);
        if (linkDelta != 0 && d.linksCount() != 1) {
            int n = d.linksCount() + linkDelta;
            d = d.withLinksCount(n >= LINK_MAX ? 1 : n);
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
        if (d.hasFlag(Ext4Inode.INDEX_FL)) {
            List<Ext4Extent> ex = fs.extents(d).extents();
            Leaf leaf = leafFor(d, ex, name);
            if (insertInBlock(d, physOf(d, ex, leaf.logical(), leaf.namedAt()), name, ino, type)) return;
            dropIndex(d, ex);
            d = fs.inode(dirIno);
        }
        for (HostBlock h : scanDir(fs, dirIno)) if (insertInBlock(d, h.block(), name, ino, type)) return;
        // no room: append one block
        Ext4Volume.Mapping c = fs.extents(d);
        long logical = Math.ceilDiv(d.size(), bs);
        long blk = blocks.allocBlock();
        int tail = fs.csum() ? DirBlock.TAIL : 0;
        store(d, blk, new DirBlock(List.of(new Ext4DirEntry(ino, bs - tail, type, name)), fs.csum()));
        List<Ext4Extent> ex = new ArrayList<>(c.extents());
        ExtentTreeBuilder.append(ex, logical, blk, 1);
        for (long tb : c.treeBlocks()) fs.setBlocks(tb, 1, false);
        ExtentTreeBuilder.Built t = blocks.writeTree(ex, d);
        long blocks512 = d.blocks() + (1 + t.treeBlocks() - c.treeBlocks().size()) * (long) (bs / 512);
        fs.writeInode(d.withData(d.flags(), t.root(), (logical + 1) * bs, blocks512));
    }

    /**
     * The block holding logical block {@code logical} of a directory, which the structure at
     * {@code namedAt} (in the volume: an htree node, or the inode for the root) names.
     */
    private long physOf(Ext4Inode dir, List<Ext4Extent> ex, long logical, long namedAt) {
        for (Ext4Extent e : ex) {
            if (logical >= e.logical() && logical < e.logicalEnd() && !e.unwritten()) return e.physical() + (logical - e.logical());
        }
        throw new HostDamageException(fs.name(), "htree of directory inode " + dir.number(), fs.deviceOffset(namedAt),
                "it names logical block " + logical + ", which the directory does not have");
    }

    /** Puts the entry into block {@code blk} of the directory if some entry there has room after it. */
    private boolean insertInBlock(Ext4Inode dir, long blk, byte[] name, long ino, int type) throws IOException {
        DirBlock b = fs.dirBlock(blk, dir, false);
        List<Ext4DirEntry> es = b.entries();
        for (int i = 0; i < es.size(); i++) {
            Ext4DirEntry e = es.get(i);
            int used = e.need();
            if (e.recLen() - used < Ext4DirEntry.need(name.length)) continue;
            List<Ext4DirEntry> changed = new ArrayList<>(es);
            Ext4DirEntry added = new Ext4DirEntry(ino, e.recLen() - used, type, name);
            if (used == 0) {
                changed.set(i, added);
            } else {
                changed.set(i, e.withRecLen(used));
                changed.add(i + 1, added);
            }
            store(dir, blk, new DirBlock(changed, b.tail()));
            return true;
        }
        return false;
    }

    private DxRoot root(Ext4Inode dir, List<Ext4Extent> ex) throws IOException {
        long blk = physOf(dir, ex, 0, dir.offset());
        return fs.host(() -> DxRoot.parse(ByteBuffer.wrap(fs.block(blk)), fs.superblock(), dir.number(), blk * bs));
    }

    private DxNode node(Ext4Inode dir, List<Ext4Extent> ex, long logical, long namedAt) throws IOException {
        long blk = physOf(dir, ex, logical, namedAt);
        return fs.host(() -> DxNode.parseBlock(ByteBuffer.wrap(fs.block(blk)), fs.superblock(), dir.number(), blk * bs));
    }

    /** A leaf of an htree: its logical block, and where the node naming it lies in the volume. */
    private record Leaf(long logical, long namedAt) {}

    /** The leaf that must hold {@code name}. */
    private Leaf leafFor(Ext4Inode dir, List<Ext4Extent> ex, byte[] name) throws IOException {
        DxRoot root = root(dir, ex);
        long hash = DxHash.hash(name, root.hashVersion(fs.superblock()), fs.superblock().hashSeed());
        if (hash < 0) throw new HostException(fs.name() + ": host htree directory inode " + dir.number() + " uses an unknown hash version");
        DxNode n = root.index();
        long at = physOf(dir, ex, 0, dir.offset()) * bs;
        for (int level = 0; ; level++) {
            long child = n.childFor(hash).block();
            if (level == root.indirectLevels()) return new Leaf(child, at);
            n = node(dir, ex, child, at);
            at = physOf(dir, ex, child, at) * bs;
        }
    }

    /** Logical numbers of the interior index blocks (not the root, not the leaves). */
    private List<Long> indexBlocks(Ext4Inode dir, List<Ext4Extent> ex) throws IOException {
        DxRoot root = root(dir, ex);
        List<Long> out = new ArrayList<>();
        long rootAt = physOf(dir, ex, 0, dir.offset()) * bs;
        List<Leaf> level = List.of(new Leaf(0, rootAt));
        for (int l = 0; l < root.indirectLevels(); l++) {
            List<Leaf> next = new ArrayList<>();
            for (Leaf at : level) {
                DxNode n = at.logical() == 0 ? root.index() : node(dir, ex, at.logical(), at.namedAt());
                long nodeAt = physOf(dir, ex, at.logical(), at.namedAt()) * bs;
                for (var e : n.entries()) {
                    out.add(e.block());
                    next.add(new Leaf(e.block(), nodeAt));
                }
            }
            level = next;
        }
        return out;
    }

    /** Turns an htree directory into a linear one: the root and index blocks become empty leaves. */
    private void dropIndex(Ext4Inode dir, List<Ext4Extent> ex) throws IOException {
        DxRoot root = root(dir, ex);
        List<Long> index = indexBlocks(dir, ex);
        int usable = bs - (fs.csum() ? DirBlock.TAIL : 0);
        Ext4Inode d = dir.withData(dir.flags() & ~Ext4Inode.INDEX_FL, dir.block(), dir.size(), dir.blocks());
        store(d, physOf(dir, ex, 0, dir.offset()), new DirBlock(List.of(new Ext4DirEntry(root.self(), 12, Ext4DirEntry.FT_DIR, new byte[] {'.'}),
                new Ext4DirEntry(root.parent(), usable - 12, Ext4DirEntry.FT_DIR, new byte[] {'.', '.'})), fs.csum()));
        for (long l : index) {
            store(d, physOf(dir, ex, l, dir.offset()), new DirBlock(List.of(new Ext4DirEntry(0, usable, Ext4DirEntry.FT_UNKNOWN, new byte[0])), fs.csum()));
        }
        notes.add("host directory inode " + dir.number() + " had a full htree leaf for the new name; its index was dropped"
                + " (it is a valid linear directory; e2fsck -fD re-indexes it)");
        fs.writeInode(d);
    }
}
