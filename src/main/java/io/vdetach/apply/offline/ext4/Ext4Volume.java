package io.vdetach.apply.offline.ext4;

import io.vdetach.apply.offline.device.BlockDevice;
import io.vdetach.error.HostException;
import io.vdetach.error.ImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.guestfs.ext.codec.DirBlock;
import io.vdetach.guestfs.ext.codec.Crc32c;
import io.vdetach.guestfs.ext.codec.Ext4Extent;
import io.vdetach.guestfs.ext.codec.Ext4GroupDesc;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;
import io.vdetach.guestfs.ext.codec.ExtentTree;
import io.vdetach.guestfs.ext.codec.Feature;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ext4 host opened for offline writing: its structures read through the ext4 codec (a
 * damaged one is a {@link HostDamageException}), lazily loaded bitmaps, free-space and inode
 * allocation, and the blocks changed so far. Nothing reaches the device before {@link #commit},
 * which writes every changed block through the {@link BlockDevice} (announced first, so an undo
 * log saves them all with one sync).
 */
public final class Ext4Volume {
    private final BlockDevice dev;
    private final String name;
    private final long base;
    private Ext4SuperBlock sb;
    private final int bs;
    private final int ipg;
    private final int bpg;
    private final int groups;
    private final Ext4GroupDesc[] gd;
    private final long gdtBlocks;
    private final Map<Long, byte[]> dirty = new LinkedHashMap<>();
    /** Clean blocks: inode table and directory blocks are re-read often. */
    private final BlockCache.Region<byte[]> cache;
    private final byte[][] blockBitmap;
    private final byte[][] inodeBitmap;
    private final boolean[] groupDirty;
    private final boolean[] bbDirty;
    private final boolean[] ibDirty;
    /** Per group, the index below which no inode is free (allocation only moves forward). */
    private final int[] inodeCursor;
    private long freeBlocks;
    private long freeInodes;
    private int roCompat;
    private List<List<BlockRun>> metaRanges;

    /** What reading an extent tree found: the leaf extents in logical order, and the tree's own blocks. */
    public record Mapping(List<Ext4Extent> extents, List<Long> treeBlocks) {}

    /** A read of host structures through the codec. */
    @FunctionalInterface
    public interface HostRead<T> {
        T read() throws IOException;
    }

    private Ext4Volume(BlockDevice dev, String name, long base, Ext4SuperBlock sb, BlockCache cache) throws IOException {
        this.dev = dev;
        this.name = name;
        this.base = base;
        this.sb = sb;
        this.bs = sb.blockSize();
        this.cache = cache.region("ext4 host blocks of " + name, b -> b.length);
        // s_blocks_per_group and s_inodes_per_group are at most 8 per bitmap byte (validated): ints
        this.ipg = (int) sb.inodesPerGroup();
        this.bpg = (int) sb.blocksPerGroup();
        if (sb.groupCount() > Integer.MAX_VALUE / 2) {
            throw new HostDamageException(name, "superblock", base + Ext4SuperBlock.OFFSET + 4, sb.groupCount() + " groups");
        }
        this.groups = (int) sb.groupCount();
        this.gdtBlocks = Math.ceilDiv((long) groups * sb.descSize(), bs);
        this.gd = new Ext4GroupDesc[groups];
        boolean verify = sb.has(Feature.METADATA_CSUM) || sb.has(Feature.GDT_CSUM);
        for (int g = 0; g < groups; g++) {
            long at = sb.descriptorOffset(g);
            long group = g;
            gd[g] = host(() -> Ext4GroupDesc.parse(ByteBuffer.wrap(block(at / bs)), (int) (at % bs), group, sb, at, verify));
        }
        this.freeBlocks = sb.freeBlocksCount();
        this.freeInodes = sb.freeInodesCount();
        this.roCompat = sb.featureRoCompat();
        this.blockBitmap = new byte[groups][];
        this.inodeBitmap = new byte[groups][];
        this.groupDirty = new boolean[groups];
        this.bbDirty = new boolean[groups];
        this.ibDirty = new boolean[groups];
        this.inodeCursor = new int[groups];
    }

    /**
     * Opens the host whose validated superblock is {@code sb} on {@code dev}, which starts at byte
     * {@code base} of the device called {@code name} (for messages).
     */
    public static Ext4Volume open(BlockDevice dev, String name, long base, Ext4SuperBlock sb, BlockCache cache) throws IOException {
        return new Ext4Volume(dev, name, base, sb, cache);
    }

    public Ext4SuperBlock superblock() { return sb; }

    public String name() { return name; }

    public int blockSize() { return bs; }

    public long blocksCount() { return sb.blocksCount(); }

    public boolean csum() { return sb.has(Feature.METADATA_CSUM); }

    public int groups() { return groups; }

    public Ext4GroupDesc descriptor(int g) { return gd[g]; }

    /** Free blocks as the writer has counted them so far. */
    public long freeBlocks() { return freeBlocks; }

    /** Where byte {@code volumeOffset} of the filesystem lies on the device. */
    public long deviceOffset(long volumeOffset) { return volumeOffset < 0 ? -1 : base + volumeOffset; }

    /** Runs {@code read}; a structure the codec finds damaged is the host's damage, named with its device offset. */
    public <T> T host(HostRead<T> read) throws IOException {
        try {
            return read.read();
        } catch (ImageException e) {
            throw new HostDamageException(name, base, e);
        }
    }

    // ---- blocks ----

    /** The current contents of block {@code n} (changed or on disk); callers must not modify it. */
    public byte[] block(long n) throws IOException {
        byte[] d = dirty.get(n);
        if (d != null) return d;
        if (n < 0 || n >= dev.blockCount()) throw new HostDamageException(name, "block reference", -1, "block " + n + " is outside the device");
        return cache.get(n, k -> {
            byte[] c = new byte[bs];
            dev.read(k, c);
            return c;
        });
    }

    /** Block {@code n} for placing serialised structures in it: its current contents, written at commit. */
    private byte[] blockForWrite(long n) throws IOException {
        byte[] d = dirty.get(n);
        if (d != null) return d;
        d = block(n).clone();
        dirty.put(n, d);
        return d;
    }

    /** Replaces block {@code n} whole at commit (its old contents are never read). */
    public void put(long n, byte[] data) {
        if (data.length != bs) throw new IllegalArgumentException("a block of " + data.length + " bytes");
        dirty.put(n, data);
    }

    // ---- inodes ----

    private long inodeByte(long ino) {
        if (ino < 1 || ino > sb.inodesCount()) throw new IllegalArgumentException("inode " + ino + " out of range");
        int g = (int) ((ino - 1) / ipg);
        long idx = (ino - 1) % ipg;
        return gd[g].inodeTable() * bs + idx * sb.inodeSize();
    }

    /** Reads inode {@code ino}; one in use must match its checksum unless this writer changed it. */
    public Ext4Inode inode(long ino) throws IOException {
        long at = inodeByte(ino);
        boolean verify = !dirty.containsKey(at / bs);
        return host(() -> Ext4Inode.parse(ByteBuffer.wrap(block(at / bs)), (int) (at % bs), ino, at, sb, verify));
    }

    /** Stores {@code inode} (checksummed when metadata_csum is on) into its inode table slot. */
    public void writeInode(Ext4Inode inode) throws IOException {
        long at = inodeByte(inode.number());
        System.arraycopy(inode.serialise(sb), 0, blockForWrite(at / bs), (int) (at % bs), sb.inodeSize());
    }

    /** Zeroes inode {@code ino}'s slot (a lazily initialised table may hold garbage there). */
    private void clearInode(long ino) throws IOException {
        long at = inodeByte(ino);
        Arrays.fill(blockForWrite(at / bs), (int) (at % bs), (int) (at % bs) + sb.inodeSize(), (byte) 0);
    }

    /** The extent tree of {@code inode}, checked (checksums included) by the codec. */
    public Mapping extents(Ext4Inode inode) throws IOException {
        List<Ext4Extent> extents = new ArrayList<>();
        List<Long> tree = new ArrayList<>();
        host(() -> {
            ExtentTree.walk(inode, sb, n -> ByteBuffer.wrap(block(n)), Long.MAX_VALUE, true, new ExtentTree.Visitor() {
                @Override
                public void extent(Ext4Extent e, long entryOffset) { extents.add(e); }

                @Override
                public void treeBlock(long block) { tree.add(block); }
            });
            return null;
        });
        return new Mapping(extents, tree);
    }

    /** Block {@code n} of directory {@code dir}, parsed; with {@code verify} its tail checksum must match. */
    public DirBlock dirBlock(long n, Ext4Inode dir, boolean verify) throws IOException {
        return host(() -> {
            ByteBuffer b = ByteBuffer.wrap(block(n));
            DirBlock d = DirBlock.parse(b, 0, bs, n * bs, sb, dir.number());
            if (verify && d.tail()) DirBlock.verifyTail(b, dir.csumSeed(sb), sb, dir.number(), n * bs);
            return d;
        });
    }

    // ---- groups and bitmaps ----

    private long groupStart(int g) { return sb.firstDataBlock() + (long) g * bpg; }

    public int groupBlocks(int g) { return (int) Math.min(bpg, sb.blocksCount() - groupStart(g)); }

    private int groupOf(long block) { return (int) ((block - sb.firstDataBlock()) / bpg); }

    private boolean uninitAware() { return sb.has(Feature.METADATA_CSUM) || sb.has(Feature.GDT_CSUM); }

    /** Blocks of every group's bitmaps and inode table, by the group they lie in. */
    private List<List<BlockRun>> metaRanges() {
        if (metaRanges == null) {
            metaRanges = new ArrayList<>(groups);
            for (int g = 0; g < groups; g++) metaRanges.add(new ArrayList<>());
            for (int h = 0; h < groups; h++) {
                addMeta(gd[h].blockBitmap(), 1);
                addMeta(gd[h].inodeBitmap(), 1);
                addMeta(gd[h].inodeTable(), sb.inodeTableBlocks());
            }
        }
        return metaRanges;
    }

    private void addMeta(long start, long len) {
        while (len > 0) {
            int g = groupOf(start);
            long n = Math.min(len, groupStart(g) + groupBlocks(g) - start);
            metaRanges.get(g).add(new BlockRun(start, n));
            start += n;
            len -= n;
        }
    }

    /** Blocks at the start of a group that hold a superblock copy, descriptors and reserved descriptors. */
    private long superBlocks(int g) { return sb.groupHasSuper(g) ? 1 + gdtBlocks + sb.reservedGdtBlocks() : 0; }

    /** The block bitmap of group {@code g}; for BLOCK_UNINIT groups, the one the kernel would compute. */
    byte[] blockBitmap(int g) throws IOException {
        if (blockBitmap[g] == null) {
            byte[] bm;
            if (uninitAware() && gd[g].hasFlag(Ext4GroupDesc.BLOCK_UNINIT)) {
                bm = new byte[bs];
                long start = groupStart(g);
                setBits(bm, 0, (int) superBlocks(g));
                for (BlockRun r : metaRanges().get(g)) setBits(bm, (int) (r.start() - start), (int) r.count());
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
            byte[] bm = uninitAware() && gd[g].hasFlag(Ext4GroupDesc.INODE_UNINIT) ? new byte[bs] : block(gd[g].inodeBitmap()).clone();
            setBits(bm, ipg, bs * 8 - ipg);
            inodeBitmap[g] = bm;
        }
        return inodeBitmap[g];
    }

    static void setBits(byte[] bm, int from, int count) {
        for (int i = from; i < from + count; i++) bm[i >>> 3] |= (byte) (1 << (i & 7));
    }

    static boolean bit(byte[] bm, int i) { return (bm[i >>> 3] & (1 << (i & 7))) != 0; }

    /** True when a block of {@code [start, start + len)} holds superblock, descriptors, bitmaps or inode tables. */
    public boolean overlapsMetadata(long start, long len) {
        long end = start + len;
        if (start <= sb.firstDataBlock() || end > sb.blocksCount()) return true;
        for (int g = groupOf(start); g <= groupOf(end - 1); g++) {
            long gs = groupStart(g);
            long sbs = superBlocks(g);
            if (sbs > 0 && start < gs + sbs && end > gs) return true;
            for (BlockRun r : metaRanges().get(g)) if (start < r.end() && end > r.start()) return true;
        }
        return false;
    }

    /** True when every block of the range is marked used. */
    public boolean allUsed(long start, long len) throws IOException {
        for (long b = start; b < start + len; b++) {
            int g = groupOf(b);
            if (!bit(blockBitmap(g), (int) (b - groupStart(g)))) return false;
        }
        return true;
    }

    /** Marks {@code [start, start + len)} used or free, keeping group and superblock counts. */
    public void setBlocks(long start, long len, boolean used) throws IOException {
        while (len > 0) {
            int g = groupOf(start);
            int off = (int) (start - groupStart(g));
            int n = (int) Math.min(len, groupBlocks(g) - off);
            byte[] bm = blockBitmap(g);
            for (int i = off; i < off + n; i++) {
                if (bit(bm, i) == used) {
                    throw new HostDamageException(name, "block bitmap of group " + g, base + gd[g].blockBitmap() * bs + i / 8,
                            "block " + (groupStart(g) + i) + " is already " + (used ? "used" : "free"));
                }
                bm[i >>> 3] ^= (byte) (1 << (i & 7));
            }
            Ext4GroupDesc d = gd[g];
            gd[g] = d.withCounts(d.freeBlocksCount() + (used ? -n : n), d.freeInodesCount(), d.usedDirsCount(),
                    d.flags() & ~Ext4GroupDesc.BLOCK_UNINIT, d.itableUnused());
            freeBlocks += used ? -n : n;
            bbDirty[g] = true;
            groupDirty[g] = true;
            start += n;
            len -= n;
        }
    }

    /** The first run of free blocks at or after {@code from} (wrapping once), at most {@code max} long; null when full. */
    public BlockRun findFree(long from, int max) throws IOException {
        if (from <= sb.firstDataBlock() || from >= sb.blocksCount()) from = sb.firstDataBlock();
        int g0 = groupOf(from);
        for (int k = 0; k <= groups; k++) {
            int g = (g0 + k) % groups;
            if (gd[g].freeBlocksCount() == 0) continue;
            byte[] bm = blockBitmap(g);
            int n = groupBlocks(g);
            int i = k == 0 ? (int) (from - groupStart(g)) : 0;
            while (i < n) {
                if ((i & 7) == 0 && bm[i >>> 3] == (byte) 0xFF) {
                    i += 8;
                    continue;
                }
                if (!bit(bm, i)) {
                    int j = i;
                    while (j < n && j - i < max && !bit(bm, j)) j++;
                    return new BlockRun(groupStart(g) + i, j - i);
                }
                i++;
            }
        }
        return null;
    }

    /** Frees inode {@code ino} in the bitmap and counts. */
    public void freeInode(long ino, boolean dir) throws IOException {
        int g = (int) ((ino - 1) / ipg);
        int i = (int) ((ino - 1) % ipg);
        byte[] bm = inodeBitmap(g);
        if (!bit(bm, i)) {
            throw new HostDamageException(name, "inode bitmap of group " + g, base + gd[g].inodeBitmap() * bs + i / 8,
                    "inode " + ino + " is already free");
        }
        inodeCursor[g] = Math.min(inodeCursor[g], i);
        bm[i >>> 3] &= (byte) ~(1 << (i & 7));
        Ext4GroupDesc d = gd[g];
        gd[g] = d.withCounts(d.freeBlocksCount(), d.freeInodesCount() + 1, d.usedDirsCount() - (dir ? 1 : 0), d.flags(), d.itableUnused());
        freeInodes++;
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
            if (d.freeInodesCount() == 0) continue;
            byte[] bm = inodeBitmap(g);
            int first = Math.max(g == 0 ? (int) Math.min(ipg, sb.firstIno() - 1) : 0, inodeCursor[g]);
            for (int i = first; i < ipg; i++) {
                if ((i & 7) == 0 && bm[i >>> 3] == (byte) 0xFF) {
                    i += 7;
                    continue;
                }
                if (bit(bm, i)) continue;
                inodeCursor[g] = i + 1;
                bm[i >>> 3] |= (byte) (1 << (i & 7));
                long ino = (long) g * ipg + i + 1;
                int flags = d.flags();
                long unused = d.itableUnused();
                if (uninitAware()) {
                    boolean uninit = d.hasFlag(Ext4GroupDesc.INODE_UNINIT);
                    long usedEnd = uninit ? 0 : ipg - unused;
                    for (long j = usedEnd; j < i; j++) clearInode((long) g * ipg + j + 1);
                    if (i + 1 > ipg - unused || uninit) unused = ipg - (i + 1);
                    flags &= ~Ext4GroupDesc.INODE_UNINIT;
                }
                gd[g] = d.withCounts(d.freeBlocksCount(), d.freeInodesCount() - 1, d.usedDirsCount() + (dir ? 1 : 0), flags, unused);
                freeInodes--;
                ibDirty[g] = true;
                groupDirty[g] = true;
                return ino;
            }
        }
        throw new HostException(name + ": no free inodes left in the host filesystem");
    }

    /** Turns on a read-only compatible feature (large_file when a file reaches 2 GiB). */
    public void addRoCompat(Feature f) {
        roCompat |= f.bit();
    }

    // ---- commit ----

    /**
     * Puts bitmaps, group descriptors and the superblock into the changed set, then writes every
     * changed block (announced to the device first) and flushes.
     *
     * @return the number of metadata blocks written
     */
    public int commit(boolean write) throws IOException {
        int seed = sb.csumSeed();
        for (int g = 0; g < groups; g++) {
            Ext4GroupDesc d = gd[g];
            int blockCsum = d.blockBitmapCsum();
            int inodeCsum = d.inodeBitmapCsum();
            // "Block Group Descriptors": the bitmap checksums cover clusters_per_group / 8 and inodes_per_group / 8 bytes
            if (bbDirty[g]) {
                put(d.blockBitmap(), blockBitmap[g].clone());
                if (csum()) blockCsum = Crc32c.update(seed, blockBitmap[g], 0, bpg / 8);
            }
            if (ibDirty[g]) {
                put(d.inodeBitmap(), inodeBitmap[g].clone());
                if (csum()) inodeCsum = Crc32c.update(seed, inodeBitmap[g], 0, ipg / 8);
            }
            gd[g] = d.withBitmapCsums(blockCsum, inodeCsum);
        }
        for (int g = 0; g < groups; g++) {
            if (groupDirty[g] || bbDirty[g] || ibDirty[g]) {
                long at = sb.descriptorOffset(g);
                System.arraycopy(gd[g].serialise(sb), 0, blockForWrite(at / bs), (int) (at % bs), sb.descSize());
            }
        }
        sb = sb.withCounts(freeBlocks, freeInodes, roCompat);
        System.arraycopy(sb.serialise(), 0, blockForWrite(Ext4SuperBlock.OFFSET / bs), Ext4SuperBlock.OFFSET % bs, Ext4SuperBlock.SIZE);
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
