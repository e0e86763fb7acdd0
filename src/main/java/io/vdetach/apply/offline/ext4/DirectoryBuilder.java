package io.vdetach.apply.offline.ext4;

import io.vdetach.guestfs.ext.codec.DirBlock;
import io.vdetach.guestfs.ext.codec.DxEntry;
import io.vdetach.guestfs.ext.codec.DxHash;
import io.vdetach.guestfs.ext.codec.DxNode;
import io.vdetach.guestfs.ext.codec.DxRoot;
import io.vdetach.guestfs.ext.codec.Ext4DirEntry;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;
import io.vdetach.guestfs.ext.codec.Feature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Lays out a new directory's blocks. Linear: ".", ".." and the entries, in as many blocks as
 * needed. When that takes more than one block and the host has dir_index, like the kernel, a hash
 * tree ("Hash Tree Directories"): logical block 0 the root, then interior nodes when one level is
 * not enough, then full leaves of entries sorted by hash; a leaf that starts in the middle of a
 * run of equal hashes is indexed with the hash's low bit set ("continued"), as the kernel does.
 * Only one or two index levels are built (three need large_dir); past that it stays linear.
 */
public final class DirectoryBuilder {
    private DirectoryBuilder() {}

    /** The directory's blocks in logical order, finished (checksums included), and whether they are a hash tree. */
    public record Built(List<byte[]> blocks, boolean indexed) {}

    private record Hashed(Ext4DirEntry entry, long hash) {}

    /**
     * @param entries the names, each with its inode and file type (rec_len is set here)
     * @param seed the directory's checksum seed with metadata_csum, else null
     */
    public static Built build(long self, long parent, List<Ext4DirEntry> entries, Ext4SuperBlock sb, Integer seed) {
        int bs = sb.blockSize();
        int usable = bs - (seed != null ? DirBlock.TAIL : 0);
        List<Ext4DirEntry> all = new ArrayList<>(entries.size() + 2);
        all.add(new Ext4DirEntry(self, 0, Ext4DirEntry.FT_DIR, new byte[] {'.'}));
        all.add(new Ext4DirEntry(parent, 0, Ext4DirEntry.FT_DIR, new byte[] {'.', '.'}));
        all.addAll(entries);
        List<DirBlock> linear = pack(all, usable, seed != null);
        if (linear.size() > 1 && sb.has(Feature.DIR_INDEX)) {
            List<byte[]> tree = htree(self, parent, entries, sb, seed);
            if (tree != null) return new Built(tree, true);
        }
        return new Built(linear.stream().map(b -> b.serialise(bs, seed == null ? 0 : seed)).toList(), false);
    }

    /** Fills blocks front to back; the last entry of each block spans the rest of it. */
    private static List<DirBlock> pack(List<Ext4DirEntry> entries, int usable, boolean tail) {
        List<DirBlock> out = new ArrayList<>();
        List<Ext4DirEntry> cur = new ArrayList<>();
        int used = 0;
        for (Ext4DirEntry e : entries) {
            int n = Ext4DirEntry.need(e.name().length);
            if (!cur.isEmpty() && used + n > usable) {
                out.add(close(cur, used, usable, tail));
                cur = new ArrayList<>();
                used = 0;
            }
            cur.add(e.withRecLen(n));
            used += n;
        }
        if (!cur.isEmpty()) out.add(close(cur, used, usable, tail));
        return out;
    }

    private static DirBlock close(List<Ext4DirEntry> cur, int used, int usable, boolean tail) {
        Ext4DirEntry last = cur.removeLast();
        cur.add(last.withRecLen(last.recLen() + usable - used));
        return new DirBlock(cur, tail);
    }

    private static List<byte[]> htree(long self, long parent, List<Ext4DirEntry> entries, Ext4SuperBlock sb, Integer seed) {
        int bs = sb.blockSize();
        int rootVersion = sb.defHashVersion() > DxHash.TEA ? DxHash.HALF_MD4 : sb.defHashVersion();
        int version = sb.dxHashVersion(rootVersion);
        List<Hashed> hs = new ArrayList<>(entries.size());
        for (Ext4DirEntry e : entries) hs.add(new Hashed(e, DxHash.hash(e.name(), version, sb.hashSeed())));
        hs.sort(Comparator.comparingLong(Hashed::hash).thenComparing((a, b) -> Arrays.compare(a.entry().name(), b.entry().name())));
        List<DirBlock> leaves = pack(hs.stream().map(Hashed::entry).toList(), bs - (seed != null ? DirBlock.TAIL : 0), seed != null);
        // each leaf is indexed by its first name's hash, "continued" (low bit set) when the previous leaf ends with the same hash
        long[] leafHash = new long[leaves.size()];
        int first = 0;
        for (int i = 0; i < leaves.size(); i++) {
            long h = hs.get(first).hash();
            leafHash[i] = i == 0 ? 0 : first > 0 && hs.get(first - 1).hash() == h ? h | 1 : h;
            first += leaves.get(i).entries().size();
        }
        boolean csum = seed != null;
        int rootLimit = DxNode.limit(bs, DxRoot.INDEX_AT, csum);
        int nodeLimit = DxNode.limit(bs, DxNode.NODE_AT, csum);
        List<byte[]> out = new ArrayList<>();
        int nodes = leaves.size() <= rootLimit ? 0 : Math.ceilDiv(leaves.size(), nodeLimit);
        if (nodes > rootLimit) return null;
        long firstLeaf = 1 + nodes;
        List<DxEntry> rootEntries = new ArrayList<>();
        List<byte[]> nodeBlocks = new ArrayList<>();
        if (nodes == 0) {
            for (int i = 0; i < leaves.size(); i++) rootEntries.add(new DxEntry(leafHash[i], firstLeaf + i));
        } else {
            for (int k = 0; k < nodes; k++) {
                List<DxEntry> es = new ArrayList<>();
                for (int i = k * nodeLimit; i < Math.min(leaves.size(), (k + 1) * nodeLimit); i++) es.add(new DxEntry(leafHash[i], firstLeaf + i));
                nodeBlocks.add(new DxNode(nodeLimit, es).serialiseBlock(bs, seed));
                rootEntries.add(new DxEntry(leafHash[k * nodeLimit], 1 + k));
            }
        }
        out.add(new DxRoot(self, parent, rootVersion, nodes == 0 ? 0 : 1, new DxNode(rootLimit, rootEntries)).serialise(bs, seed));
        out.addAll(nodeBlocks);
        for (DirBlock leaf : leaves) out.add(leaf.serialise(bs, seed == null ? 0 : seed));
        return out;
    }
}
