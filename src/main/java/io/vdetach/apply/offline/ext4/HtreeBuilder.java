package io.vdetach.apply.offline.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Builds a new htree-indexed directory (4.4.5): logical block 0 is the root (".", ".." spanning
 * the block, dx_root_info, then {hash, block} entries), then interior nodes when one level is not
 * enough, then full leaves of entries sorted by hash. A leaf that starts in the middle of a run
 * of equal hashes is indexed with the hash's low bit set ("continued"), as the kernel does.
 * Only one or two index levels are built (three need largedir); {@link #build} returns null then.
 */
public final class HtreeBuilder {
    private HtreeBuilder() {}

    /** The directory's blocks in logical order and which of them are index blocks (root and nodes). */
    public record Built(List<byte[]> blocks, int indexBlocks) {}

    private record Hashed(DirBlock.NewEntry e, long hash) {}

    public static Built build(long self, long parent, List<DirBlock.NewEntry> entries, int bs, boolean csum, Ext4Superblock sb) {
        int rootVersion = sb.raw()[0xFC] & 0xFF; // s_def_hash_version
        if (rootVersion > DxHash.TEA) rootVersion = DxHash.HALF_MD4;
        int version = rootVersion + ((sb.raw()[0x160] & 0x2) != 0 ? 3 : 0); // s_flags: unsigned char hashes
        int[] seed = Htree.seed(sb);
        List<Hashed> hs = new ArrayList<>(entries.size());
        for (DirBlock.NewEntry e : entries) hs.add(new Hashed(e, DxHash.hash(e.name(), version, seed)));
        hs.sort(Comparator.comparingLong(Hashed::hash).thenComparing((a, b) -> Arrays.compare(a.e().name(), b.e().name())));

        // leaves
        int tail = csum ? DirBlock.TAIL : 0;
        int usable = bs - tail;
        List<byte[]> leaves = new ArrayList<>();
        List<Long> leafHash = new ArrayList<>();
        byte[] cur = null;
        int used = 0;
        int lastOff = -1;
        long prevHash = -1;
        for (Hashed h : hs) {
            int n = DirBlock.need(h.e().name().length);
            if (cur == null || used + n > usable) {
                cur = new byte[bs];
                leaves.add(cur);
                leafHash.add(h.hash() == prevHash ? h.hash() | 1 : h.hash());
                used = 0;
                lastOff = -1;
            }
            if (lastOff >= 0) DirBlock.setRecLen(cur, lastOff, used - lastOff);
            DirBlock.putEntry(cur, used, h.e().inode(), usable - used, h.e().name(), h.e().type());
            lastOff = used;
            used += n;
            prevHash = h.hash();
        }
        if (leaves.isEmpty()) return null;
        leafHash.set(0, 0L); // the first index entry has no hash: it covers everything below the second

        int rootLimit = (bs - 32) / 8 - (csum ? 1 : 0);
        int nodeLimit = (bs - 8) / 8 - (csum ? 1 : 0);
        List<byte[]> out = new ArrayList<>();
        byte[] root = new byte[bs];
        out.add(root);
        DirBlock.putEntry(root, 0, self, 12, new byte[] {'.'}, DirBlock.FT_DIR);
        DirBlock.putEntry(root, 12, parent, bs - 12, new byte[] {'.', '.'}, DirBlock.FT_DIR);
        root[28] = (byte) rootVersion;
        root[29] = 8;
        if (leaves.size() <= rootLimit) {
            long[] hashes = leafHash.stream().mapToLong(Long::longValue).toArray();
            long[] blocks = new long[leaves.size()];
            for (int i = 0; i < blocks.length; i++) blocks[i] = 1 + i;
            writeIndex(root, 32, rootLimit, hashes, blocks, 0, blocks.length);
            out.addAll(leaves);
            return new Built(out, 1);
        }
        int nodes = Math.ceilDiv(leaves.size(), nodeLimit);
        if (nodes > rootLimit) return null;
        root[30] = 1; // indirect_levels
        long firstLeaf = 1 + nodes;
        long[] hashes = leafHash.stream().mapToLong(Long::longValue).toArray();
        long[] leafBlocks = new long[leaves.size()];
        for (int i = 0; i < leafBlocks.length; i++) leafBlocks[i] = firstLeaf + i;
        long[] nodeHashes = new long[nodes];
        long[] nodeBlocks = new long[nodes];
        for (int k = 0; k < nodes; k++) {
            byte[] node = new byte[bs];
            ByteBuffer.wrap(node).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) (bs == 65536 ? 0 : bs));
            int from = k * nodeLimit;
            int n = Math.min(nodeLimit, leaves.size() - from);
            writeIndex(node, 8, nodeLimit, hashes, leafBlocks, from, n);
            out.add(node);
            nodeHashes[k] = hashes[from];
            nodeBlocks[k] = 1 + k;
        }
        writeIndex(root, 32, rootLimit, nodeHashes, nodeBlocks, 0, nodes);
        out.addAll(leaves);
        return new Built(out, 1 + nodes);
    }

    /** count/limit, the first entry's block, then {hash, block} pairs (4.4.5, dx_countlimit / dx_entry). */
    private static void writeIndex(byte[] blk, int off, int limit, long[] hashes, long[] blocks, int from, int n) {
        ByteBuffer b = ByteBuffer.wrap(blk).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(off, (short) limit).putShort(off + 2, (short) n).putInt(off + 4, (int) blocks[from]);
        for (int i = 1; i < n; i++) {
            b.putInt(off + 8 * i, (int) hashes[from + i]);
            b.putInt(off + 8 * i + 4, (int) blocks[from + i]);
        }
    }

    /**
     * The dx_tail checksum of an index block: crc32c(inode seed, block up to the last used entry,
     * then the 8-byte tail with its checksum zero), stored right after {@code limit} entries.
     */
    public static void writeDxTail(byte[] blk, int inodeSeed) {
        ByteBuffer b = ByteBuffer.wrap(blk).order(ByteOrder.LITTLE_ENDIAN);
        boolean isRoot = !DirBlock.isIndexNode(blk);
        int off = isRoot ? 32 : 8;
        int limit = b.getShort(off) & 0xFFFF;
        int count = b.getShort(off + 2) & 0xFFFF;
        int t = off + 8 * limit;
        b.putInt(t, 0).putInt(t + 4, 0);
        int c = Crc32c.update(inodeSeed, blk, 0, off + 8 * count);
        c = Crc32c.update(c, blk, t, 8);
        b.putInt(t + 4, c);
    }
}
