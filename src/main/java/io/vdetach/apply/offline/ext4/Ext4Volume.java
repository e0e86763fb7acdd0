package io.vdetach.apply.offline.ext4;

import io.vdetach.apply.offline.device.BlockDevice;
import io.vdetach.error.HostException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ext4 filesystem opened for offline writing: the superblock, group descriptors, lazily
 * loaded bitmaps, a read cache, and the set of metadata blocks changed so far. Nothing
 * reaches the device before {@link #commit}, which writes every changed block through the
 * {@link BlockDevice} (announced first, so an undo log saves them all with one sync).
 */
public final class Ext4Volume {
    /** Clean blocks kept in memory: inode table and directory blocks are re-read often. */
    private static final int CACHE_BLOCKS = 4096;

    private final BlockDevice dev;
    private final String name;
    private final Ext4Superblock sb;
    private final int bs;
    private final int ipg;
    private final int bpg;
    private final int groups;
    private final Ext4GroupDesc[] gd;
    private final int seed;
    private final long gdtStart;
    private final int gdtBlocks;
    private final int itableBlocks;
    private final Map<Long, byte[]> dirty = new LinkedHashMap<>();
    private final Map<Long, byte[]> cache = new LinkedHashMap<>(CACHE_BLOCKS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) { return size() > CACHE_BLOCKS; }
    };
    private final byte[][] blockBitmap;
    private final byte[][] inodeBitmap;
    private final boolean[] groupDirty;
    private final boolean[] bbDirty;
    private final boolean[] ibDirty;
    /** Per group, the index below which no inode is free (allocation only moves forward). */
    private final int[] inodeCursor;
    private List<List<long[]>> metaRanges;

    private Ext4Volume(BlockDevice dev, String name, Ext4Superblock sb) throws IOException {
        this.dev = dev;
        this.name = name;
        this.sb = sb;
        this.bs = sb.blockSize();
        this.ipg = sb.inodesPerGroup();
        this.bpg = sb.blocksPerGroup();
        long g = sb.groupCount();
        // a group count is bounded by the device: one group per blocks_per_group blocks
        if (g <= 0 || g > Integer.MAX_VALUE / 2 || sb.blocksCount() > dev.blockCount()) {
            throw new HostException(name + ": ext4 superblock says " + sb.blocksCount() + " blocks, the device has " + dev.blockCount());
        }
        if ((long) ipg * g != sb.inodesCount()) throw new HostException(name + ": inode count does not match the groups");
        this.groups = (int) g;
        this.seed = sb.csumSeed();
        this.gdtStart = sb.firstDataBlock() + 1;
        this.gdtBlocks = (int) Math.ceilDiv((long) groups * sb.descSize(), bs);
        this.itableBlocks = (int) Math.ceilDiv((long) ipg * sb.inodeSize(), bs);
        this.gd = new Ext4GroupDesc[groups];
        int perBlock = bs / sb.descSize();
        for (int i = 0; i < gdtBlocks; i++) {
            byte[] blk = block(gdtStart + i);
            for (int j = 0; j < perBlock && i * perBlock + j < groups; j++) {
                int grp = i * perBlock + j;
                gd[grp] = Ext4GroupDesc.parse(grp, blk, j * sb.descSize(), sb.descSize());
                if ((sb.metadataCsum() || sb.gdtCsum()) && gd[grp].checksum() != gd[grp].computeChecksum(sb)) {
                    throw new HostException(name + ": group descriptor " + grp + " checksum mismatch; run e2fsck on the host first");
                }
                long it = gd[grp].inodeTable();
                if (it < sb.firstDataBlock() || it + itableBlocks > sb.blocksCount() || gd[grp].blockBitmap() >= sb.blocksCount()
                        || gd[grp].inodeBitmap() >= sb.blocksCount()) {
                    throw new HostException(name + ": group descriptor " + grp + " points outside the filesystem");
                }
            }
        }
        this.blockBitmap = new byte[groups][];
        this.inodeBitmap = new byte[groups][];
        this.groupDirty = new boolean[groups];
        this.bbDirty = new boolean[groups];
        this.ibDirty = new boolean[groups];
        this.inodeCursor = new int[groups];
    }

    public static Ext4Volume open(BlockDevice dev, String name, Ext4Superblock sb) throws IOException {
        return new Ext4Volume(dev, name, sb);
    }

    public Ext4Superblock superblock() { return sb; }

    public String name() { return name; }

    public int blockSize() { return bs; }

    public long blocksCount() { return sb.blocksCount(); }

    public long firstDataBlock() { return sb.firstDataBlock(); }

    public int seed() { return seed; }

    public boolean csum() { return sb.metadataCsum(); }

    public int groups() { return groups; }

    public Ext4GroupDesc descriptor(int g) { return gd[g]; }

    // ---- blocks ----

    /** The current contents of block {@code n} (changed or on disk); callers must not modify it. */
    public byte[] block(long n) throws IOException {
        byte[] d = dirty.get(n);
        if (d != null) return d;
        byte[] c = cache.get(n);
        if (c != null) return c;
        if (n < 0 || n >= dev.blockCount()) throw new HostException(name + ": block " + n + " is outside the device");
        c = new byte[bs];
        dev.read(n, c);
        cache.put(n, c);
        return c;
    }

    /** Block {@code n} for changing: its current contents, to be written at commit. */
    public byte[] blockForWrite(long n) throws IOException {
        byte[] d = dirty.get(n);
        if (d != null) return d;
        d = block(n).clone();
        cache.remove(n);
        dirty.put(n, d);
        return d;
    }

    /** A zeroed block {@code n} to be written whole at commit (its old contents are never read). */
    public byte[] freshBlock(long n) {
        byte[] d = new byte[bs];
        cache.remove(n);
        dirty.put(n, d);
        return d;
    }

    /** Metadata blocks changed so far. */
    public int dirtyCount() { return dirty.size(); }

    // ---- inodes ----

    private long inodeByte(long ino) {
        if (ino < 1 || ino > sb.inodesCount()) throw new HostException(name + ": inode " + ino + " out of range");
        int g = (int) ((ino - 1) / ipg);
        long idx = (ino - 1) % ipg;
        return gd[g].inodeTable() * bs + idx * sb.inodeSize();
    }

    /** Reads inode {@code ino}; an in-use inode whose checksum is wrong is a host error. */
    public Ext4Inode inode(long ino) throws IOException {
        long at = inodeByte(ino);
        byte[] blk = block(at / bs);
        byte[] r = Arrays.copyOfRange(blk, (int) (at % bs), (int) (at % bs) + sb.inodeSize());
        Ext4Inode in = new Ext4Inode(ino, r);
        if (csum() && in.linksCount() != 0 && !dirty.containsKey(at / bs) && !in.checksumValid(seed)) {
            throw new HostException(name + ": inode " + ino + " checksum mismatch; run e2fsck on the host first");
        }
        return in;
    }

    /** Stores {@code inode} (checksummed when metadata_csum is on) into its inode table block. */
    public void writeInode(Ext4Inode inode) throws IOException {
        if (csum()) inode.updateChecksum(seed);
        long at = inodeByte(inode.ino);
        System.arraycopy(inode.raw(), 0, blockForWrite(at / bs), (int) (at % bs), sb.inodeSize());
    }

    // ---- groups and bitmaps ----

    public long groupStart(int g) { return sb.firstDataBlock() + (long) g * bpg; }

    public int groupBlocks(int g) { return (int) Math.min(bpg, sb.blocksCount() - groupStart(g)); }

    public int groupOf(long block) { return (int) ((block - sb.firstDataBlock()) / bpg); }

    private boolean uninitAware() { return sb.metadataCsum() || sb.gdtCsum(); }

    /** 3.2 (sparse_super): groups 0, 1 and powers of 3, 5, 7 hold superblock and GDT backups. */
    boolean hasSuper(int g) {
        if (g == 0) return true;
        if ((sb.compat() & Ext4Superblock.COMPAT_SPARSE_SUPER2) != 0) return g == sb.backupBg(0) || g == sb.backupBg(1);
        if ((sb.roCompat() & Ext4Superblock.RO_SPARSE_SUPER) == 0) return true;
        if (g == 1) return true;
        for (int p : new int[] {3, 5, 7}) {
            long x = p;
            while (x < g) x *= p;
            if (x == g) return true;
        }
        return false;
    }

    /** Blocks of every group's bitmaps and inode table, by the group they lie in. */
    private List<List<long[]>> metaRanges() {
        if (metaRanges == null) {
            metaRanges = new ArrayList<>(groups);
            for (int g = 0; g < groups; g++) metaRanges.add(new ArrayList<>());
            for (int h = 0; h < groups; h++) {
                addMeta(gd[h].blockBitmap(), 1);
                addMeta(gd[h].inodeBitmap(), 1);
                addMeta(gd[h].inodeTable(), itableBlocks);
            }
        }
        return metaRanges;
    }

    private void addMeta(long start, long len) {
        while (len > 0) {
            int g = groupOf(start);
            long n = Math.min(len, groupStart(g) + groupBlocks(g) - start);
            metaRanges.get(g).add(new long[] {start, n});
            start += n;
            len -= n;
        }
    }

    /** The block bitmap of group {@code g}; for BLOCK_UNINIT groups, the one the kernel would compute. */
    byte[] blockBitmap(int g) throws IOException {
        if (blockBitmap[g] == null) {
            byte[] bm;
            if (uninitAware() && (gd[g].flags() & Ext4GroupDesc.BLOCK_UNINIT) != 0) {
                bm = new byte[bs];
                long start = groupStart(g);
                if (hasSuper(g)) setBits(bm, 0, 1 + gdtBlocks + sb.reservedGdtBlocks());
                for (long[] r : metaRanges().get(g)) setBits(bm, (int) (r[0] - start), (int) r[1]);
            } else {
                bm = block(gd[g].blockBitmap()).clone();
            }
            // bits past the last block of the last group are always set (mke2fs pads them)
            setBits(bm, groupBlocks(g), bs * 8 - groupBlocks(g));
            blockBitmap[g] = bm;
        }
        return blockBitmap[g];
    }

    byte[] inodeBitmap(int g) throws IOException {
        if (inodeBitmap[g] == null) {
            byte[] bm;
            if (uninitAware() && (gd[g].flags() & Ext4GroupDesc.INODE_UNINIT) != 0) {
                bm = new byte[bs];
            } else {
                bm = block(gd[g].inodeBitmap()).clone();
            }
            setBits(bm, ipg, bs * 8 - ipg);
            inodeBitmap[g] = bm;
        }
        return inodeBitmap[g];
    }

    static void setBits(byte[] bm, int from, int count) {
        for (int i = from; i < from + count; i++) bm[i >>> 3] |= (byte) (1 << (i & 7));
    }

    static boolean bit(byte[] bm, int i) { return (bm[i >>> 3] & (1 << (i & 7))) != 0; }

    public boolean blockUsed(long block) throws IOException {
        int g = groupOf(block);
        return bit(blockBitmap(g), (int) (block - groupStart(g)));
    }

    /** True when a block of {@code [start, start + len)} holds superblock, descriptors, bitmaps or inode tables. */
    public boolean overlapsMetadata(long start, long len) {
        long end = start + len;
        if (start < sb.firstDataBlock() || end > sb.blocksCount()) return true;
        for (int g = groupOf(start); g <= groupOf(end - 1); g++) {
            long gs = groupStart(g);
            if (hasSuper(g) && start < gs + 1 + gdtBlocks + sb.reservedGdtBlocks() && end > gs) return true;
            for (long[] r : metaRanges().get(g)) if (start < r[0] + r[1] && end > r[0]) return true;
        }
        return false;
    }

    /** True when every block of the range is marked used. */
    public boolean allUsed(long start, long len) throws IOException {
        for (long b = start; b < start + len; b++) if (!blockUsed(b)) return false;
        return true;
    }

    /** Marks {@code [start, start + len)} used or free, keeping group and superblock counts. */
    public void setBlocks(long start, long len, boolean used) throws IOException {
        while (len > 0) {
            int g = groupOf(start);
            int off = (int) (start - groupStart(g));
            int n = (int) Math.min(len, groupBlocks(g) - off);
            byte[] bm = blockBitmap(g);
            int changed = 0;
            for (int i = off; i < off + n; i++) {
                boolean was = bit(bm, i);
                if (was == used) {
                    throw new HostException(name + ": block " + (groupStart(g) + i) + " is already " + (used ? "used" : "free")
                            + " in the bitmap; run e2fsck on the host first");
                }
                bm[i >>> 3] ^= (byte) (1 << (i & 7));
                changed++;
            }
            Ext4GroupDesc d = gd[g];
            d.setFreeBlocks(d.freeBlocks() + (used ? -changed : changed));
            sb.setFreeBlocks(sb.freeBlocks() + (used ? -changed : changed));
            if ((d.flags() & Ext4GroupDesc.BLOCK_UNINIT) != 0) d.setFlags(d.flags() & ~Ext4GroupDesc.BLOCK_UNINIT);
            bbDirty[g] = true;
            groupDirty[g] = true;
            start += n;
            len -= n;
        }
    }

    /**
     * The first run of free blocks at or after {@code from} (wrapping once), at most {@code max}
     * long, as {start, length}; null when the filesystem is full.
     */
    public long[] findFree(long from, int max) throws IOException {
        if (from < sb.firstDataBlock() || from >= sb.blocksCount()) from = sb.firstDataBlock();
        int g0 = groupOf(from);
        for (int k = 0; k <= groups; k++) {
            int g = (g0 + k) % groups;
            if (gd[g].freeBlocks() == 0) continue;
            byte[] bm = blockBitmap(g);
            int n = groupBlocks(g);
            int i = k == 0 ? (int) (from - groupStart(g)) : 0;
            while (i < n) {
                if ((i & 7) == 0 && bm[i >>> 3] == (byte) 0xFF) { i += 8; continue; }
                if (!bit(bm, i)) {
                    int j = i;
                    while (j < n && j - i < max && !bit(bm, j)) j++;
                    return new long[] {groupStart(g) + i, j - i};
                }
                i++;
            }
        }
        return null;
    }

    public boolean inodeUsed(long ino) throws IOException {
        int g = (int) ((ino - 1) / ipg);
        return bit(inodeBitmap(g), (int) ((ino - 1) % ipg));
    }

    /** Frees inode {@code ino} in the bitmap and counts. */
    public void freeInode(long ino, boolean dir) throws IOException {
        int g = (int) ((ino - 1) / ipg);
        int i = (int) ((ino - 1) % ipg);
        byte[] bm = inodeBitmap(g);
        if (!bit(bm, i)) throw new HostException(name + ": inode " + ino + " is already free in the bitmap; run e2fsck first");
        inodeCursor[g] = Math.min(inodeCursor[g], i);
        bm[i >>> 3] &= (byte) ~(1 << (i & 7));
        Ext4GroupDesc d = gd[g];
        d.setFreeInodes(d.freeInodes() + 1);
        if (dir) d.setUsedDirs(d.usedDirs() - 1);
        sb.setFreeInodes(sb.freeInodes() + 1);
        ibDirty[g] = true;
        groupDirty[g] = true;
    }

    /**
     * Allocates a free inode, first fit from group {@code preferGroup}, and returns its number.
     * Inode table slots newly exposed below bg_itable_unused are zeroed (the table of a lazily
     * initialised group may hold garbage there).
     */
    public long allocateInode(int preferGroup, boolean dir) throws IOException {
        for (int k = 0; k < groups; k++) {
            int g = (preferGroup + k) % groups;
            Ext4GroupDesc d = gd[g];
            if (d.freeInodes() == 0) continue;
            byte[] bm = inodeBitmap(g);
            int first = Math.max(g == 0 ? (int) sb.firstIno() - 1 : 0, inodeCursor[g]);
            for (int i = first; i < ipg; i++) {
                if ((i & 7) == 0 && bm[i >>> 3] == (byte) 0xFF) {
                    i += 7;
                    continue;
                }
                if (bit(bm, i)) continue;
                inodeCursor[g] = i + 1;
                bm[i >>> 3] |= (byte) (1 << (i & 7));
                long ino = (long) g * ipg + i + 1;
                if (uninitAware()) {
                    long usedEnd = ipg - d.itableUnused();
                    if ((d.flags() & Ext4GroupDesc.INODE_UNINIT) != 0) usedEnd = 0;
                    for (long j = usedEnd; j < i; j++) writeZeroInode((long) g * ipg + j + 1);
                    if (i + 1 > ipg - d.itableUnused() || (d.flags() & Ext4GroupDesc.INODE_UNINIT) != 0) {
                        d.setItableUnused(ipg - (i + 1));
                    }
                    d.setFlags(d.flags() & ~Ext4GroupDesc.INODE_UNINIT);
                }
                d.setFreeInodes(d.freeInodes() - 1);
                if (dir) d.setUsedDirs(d.usedDirs() + 1);
                sb.setFreeInodes(sb.freeInodes() - 1);
                ibDirty[g] = true;
                groupDirty[g] = true;
                return ino;
            }
        }
        throw new HostException(name + ": no free inodes left in the host filesystem");
    }

    private void writeZeroInode(long ino) throws IOException {
        long at = inodeByte(ino);
        Arrays.fill(blockForWrite(at / bs), (int) (at % bs), (int) (at % bs) + sb.inodeSize(), (byte) 0);
    }

    /** A fresh inode image for {@code ino} (zeroed, extra size set). */
    public Ext4Inode newInode(long ino) {
        Ext4Inode n = new Ext4Inode(ino, new byte[sb.inodeSize()]);
        if (sb.inodeSize() > 128) {
            int want = sb.wantExtraIsize();
            if (want < 32 || 128 + want > sb.inodeSize()) want = Math.min(32, sb.inodeSize() - 128);
            n.setExtraIsize(want);
        }
        return n;
    }

    /** Sets a read-only compatible feature (large_file when a file reaches 2 GiB). */
    public void addRoCompat(int bits) {
        if ((sb.roCompat() & bits) != bits) sb.setRoCompat(sb.roCompat() | bits);
    }

    // ---- commit ----

    /**
     * Puts bitmaps, group descriptors and the superblock into the changed set, then writes every
     * changed block (announced to the device first) and flushes.
     *
     * @return the number of metadata blocks written
     */
    public int commit(boolean write) throws IOException {
        for (int g = 0; g < groups; g++) {
            if (bbDirty[g]) {
                byte[] bm = blockBitmap[g];
                System.arraycopy(bm, 0, freshBlock(gd[g].blockBitmap()), 0, bs);
                // 3.4: block bitmap checksum covers clusters_per_group / 8 bytes
                if (csum()) gd[g].setBlockBitmapCsum(Crc32c.update(seed, bm, 0, bpg / 8));
            }
            if (ibDirty[g]) {
                byte[] bm = inodeBitmap[g];
                System.arraycopy(bm, 0, freshBlock(gd[g].inodeBitmap()), 0, bs);
                if (csum()) gd[g].setInodeBitmapCsum(Crc32c.update(seed, bm, 0, ipg / 8));
            }
        }
        int perBlock = bs / sb.descSize();
        for (int g = 0; g < groups; g++) {
            if (groupDirty[g] || bbDirty[g] || ibDirty[g]) {
                gd[g].write(sb, blockForWrite(gdtStart + g / perBlock), (g % perBlock) * sb.descSize());
            }
        }
        sb.updateChecksum();
        long sbBlock = Ext4Superblock.OFFSET / bs;
        System.arraycopy(sb.raw(), 0, blockForWrite(sbBlock), Ext4Superblock.OFFSET % bs, Ext4Superblock.SIZE);
        int n = dirty.size();
        if (write) {
            long[] keys = dirty.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
            dev.willWrite(keys);
            for (long k : keys) dev.write(k, dirty.get(k));
            dev.flush();
        }
        return n;
    }
}
