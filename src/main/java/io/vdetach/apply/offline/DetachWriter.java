package io.vdetach.apply.offline;

import io.vdetach.apply.offline.DestinationTree.Dir;
import io.vdetach.apply.offline.DestinationTree.Ino;

import io.vdetach.apply.offline.device.BlockDevice;
import io.vdetach.apply.offline.device.CountingDevice;
import io.vdetach.apply.offline.ext4.DirBlock;
import io.vdetach.apply.offline.ext4.Ext4Inode;
import io.vdetach.apply.offline.ext4.Ext4Superblock;
import io.vdetach.apply.offline.ext4.Ext4Volume;
import io.vdetach.apply.offline.ext4.Extent;
import io.vdetach.apply.offline.ext4.ExtentTree;
import io.vdetach.apply.offline.ext4.HtreeBuilder;
import io.vdetach.apply.offline.ext4.XattrCodec;
import io.vdetach.error.HostException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The offline detach itself, in three phases:
 * <ol>
 * <li>plan: every file block is donated (an image block holding exactly its bytes), a hole,
 *     or copied;</li>
 * <li>copy: copied blocks go first into the image's spare blocks (those no run reads; their
 *     data is read into memory before any of them is overwritten), then into free space;</li>
 * <li>metadata: inodes, extent trees, directories, xattrs; the image's entry and inode go,
 *     its remaining blocks are reused for metadata or freed; bitmaps, descriptors and the
 *     superblock are written last, all through the undo log.</li>
 * </ol>
 */
final class DetachWriter {
    /** Blocks per copy write batch (one undo sync each). */
    private static final int COPY_BATCH = 2048;
    /** Largest run of blocks read and placed at once (bounds the read buffer: 64 MiB at 4 KiB blocks). */
    private static final long MAX_PIECE = 16384;

    private final Ext4Volume fs;
    private final CountingDevice dev;
    private final OfflineSession session;
    private final OfflineOptions opt;
    private final int bs;
    private final HostFile deviceFile;
    private final long base;
    private final SplittableRandom random = new SplittableRandom(System.nanoTime());
    private final Instant now = Instant.now();

    // the image: its extents by physical block, and per image-logical-block flags
    private final List<Extent> imageExtents;
    private final Extent[] byPhys;
    private final long[] physStarts;
    private final BitSet donated = new BitSet();
    private final BitSet referenced = new BitSet();

    private long blocksDonated;
    private long blocksCopied;
    private long blocksFreed;
    private final List<String> notes = new ArrayList<>();
    private final BlockSource blocks;
    private final HostDirectories dirs;

    DetachWriter(Ext4Volume fs, CountingDevice dev, OfflineSession session, OfflineOptions opt) throws IOException {
        this.fs = fs;
        this.dev = dev;
        this.session = session;
        this.opt = opt;
        this.bs = fs.blockSize();
        this.deviceFile = session.deviceFile();
        this.base = session.offset();
        this.blocks = new BlockSource(fs);
        this.dirs = new HostDirectories(fs, blocks, notes, now);
        Ext4Inode img = fs.inode(session.imageIno());
        this.imageExtents = ExtentTree.read(fs, img).extents();
        this.byPhys = imageExtents.stream().sorted(Comparator.comparingLong(Extent::physical)).toArray(Extent[]::new);
        this.physStarts = java.util.Arrays.stream(byPhys).mapToLong(Extent::physical).toArray();
        if (!imageExtents.isEmpty() && imageExtents.getLast().logicalEnd() > Integer.MAX_VALUE) {
            throw new HostException("image " + session.imagePath() + " is too large for an offline detach (more than 2^31 blocks)");
        }
    }

    // ---------------------------------------------------------------- phase 1: plan

    /** The image-logical block held at device block {@code phys}, or -1 when the image does not own it. */
    private long imageBlockAt(long phys) {
        int i = java.util.Arrays.binarySearch(physStarts, phys);
        if (i < 0) i = -i - 2;
        if (i < 0) return -1;
        Extent e = byPhys[i];
        if (phys >= e.physical() + e.length() || e.unwritten()) return -1;
        return e.logical() + (phys - e.physical());
    }

    /** Runs of a file with those on the image layer translated to the device. */
    private List<Run> deviceRuns(List<Run> runs) throws IOException {
        List<Run> out = new ArrayList<>();
        for (Run r : runs) {
            if (r instanceof Run.Mapped m && m.target() == session.image()) {
                long pos = r.start();
                for (Run lower : session.image().map(m.offset(), m.length())) {
                    out.add(lower.slice(0, lower.length(), pos));
                    pos += lower.length();
                }
            } else {
                out.add(r);
            }
        }
        out.sort(Comparator.comparingLong(Run::start));
        return out;
    }

    /** True for runs on the host device inside this filesystem (offsets then count from {@link #base}). */
    private boolean onDevice(Run.Mapped m) {
        if (m.offset() < base) return false;
        if (m.target() == deviceFile) return true;
        if (m.target() instanceof HostFile hf) {
            try {
                return Files.isSameFile(hf.path(), deviceFile.path());
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    /** Decides, block by block, what each file block is: donated, hole or copied. */
    private void plan(Ino f) throws IOException {
        long size = f.node().size();
        if (size < 0) throw new IllegalArgumentException("negative size");
        long nBlocks = Math.ceilDiv(size, bs);
        if (nBlocks > 0xFFFFFFFFL) throw new HostException("file of " + size + " bytes is too large for ext4 with " + bs + "-byte blocks");
        List<Run> runs = f.item().runs() == null ? List.of() : deviceRuns(f.item().runs());
        // first pass: remember every image block a mapped run reads, so no copy lands there
        for (Run r : runs) {
            if (r instanceof Run.Mapped m && onDevice(m)) {
                long first = (m.offset() - base) / bs;
                long last = (m.offset() - base + m.length() - 1) / bs;
                for (long p = first; p <= last; p++) {
                    long ib = imageBlockAt(p);
                    if (ib >= 0) referenced.set((int) ib);
                }
            }
        }
        int ri = 0;
        long l = 0;
        while (l < nBlocks) {
            long bStart = l * bs;
            long bEnd = Math.min(bStart + bs, size);
            while (ri < runs.size() && runs.get(ri).end() <= bStart) ri++;
            Run r = ri < runs.size() ? runs.get(ri) : null;
            if (r == null || r.start() > bStart || r.end() < bEnd) {
                copy(f, l, 1);
                l++;
                continue;
            }
            long coverEnd = Math.min(r.end(), size);
            long full = (coverEnd - bStart) / bs;
            if (coverEnd == size && (coverEnd - bStart) % bs != 0) full++;
            switch (r) {
                case Run.Hole h -> { /* stays a hole */ }
                case Run.Mapped m when onDevice(m) && (m.offset() - base + (bStart - m.start())) % bs == 0 -> {
                    long p0 = (m.offset() - base + (bStart - m.start())) / bs;
                    for (long k = 0; k < full; k++) {
                        long ib = imageBlockAt(p0 + k);
                        if (ib >= 0 && !donated.get((int) ib)) {
                            donated.set((int) ib);
                            ExtentTree.append(f.extents, l + k, p0 + k, 1);
                            f.dataBlocks++;
                            blocksDonated++;
                        } else {
                            copy(f, l + k, 1);
                        }
                    }
                }
                default -> copy(f, l, full);
            }
            l += full;
        }
    }

    private static void copy(Ino f, long logical, long n) {
        if (!f.copies.isEmpty()) {
            long[] last = f.copies.getLast();
            if (last[0] + last[1] == logical) {
                last[1] += n;
                return;
            }
        }
        f.copies.add(new long[] {logical, n});
    }

    /** Image blocks matching {@code keep}, as physical ranges. */
    private List<long[]> imageRanges(BitSet keep) {
        List<long[]> out = new ArrayList<>();
        for (Extent e : byPhys) {
            int from = (int) e.logical();
            int end = (int) e.logicalEnd();
            // walk the set bits run by run, not block by block: images are millions of blocks
            for (int i = keep.nextSetBit(from); i >= 0 && i < end; ) {
                int j = Math.min(end, keep.nextClearBit(i));
                long p = e.physical() + (i - from);
                if (!out.isEmpty() && out.getLast()[0] + out.getLast()[1] == p) out.getLast()[1] += j - i;
                else out.add(new long[] {p, j - i});
                i = keep.nextSetBit(j);
            }
        }
        return out;
    }

    /** Image-logical blocks not donated: those no run reads, or (with {@code referencedOnly}) those runs read. */
    private BitSet spare(boolean referencedOnly) {
        BitSet b = new BitSet();
        for (Extent e : imageExtents) b.set((int) e.logical(), (int) e.logicalEnd());
        b.andNot(donated);
        if (referencedOnly) b.and(referenced);
        else b.andNot(referenced);
        return b;
    }

    // ---------------------------------------------------------------- phase 2: copy

    private record Piece(Ino file, long logical, long phys, long count, byte[] data) {}

    private void copyPhase(List<Ino> files, List<Long> imageMetaBlocks) throws IOException {
        // the copy pool: image blocks no run reads (guest metadata, free guest space) and the image's tree blocks
        blocks.pool.addAll(imageRanges(spare(false)));
        for (long b : imageMetaBlocks) blocks.pool.add(new long[] {b, 1});
        // refuse before the first write when copies cannot fit (metadata needs a little more, checked as it goes)
        long toCopy = 0;
        for (Ino f : files) for (long[] c : f.copies) toCopy += c[1];
        long poolBlocks = 0;
        for (long[] r : blocks.pool) poolBlocks += r[1];
        if (toCopy > poolBlocks + fs.superblock().freeBlocks()) {
            throw new HostException(fs.name() + ": " + toCopy + " blocks must be copied but only " + poolBlocks
                    + " spare image blocks and " + fs.superblock().freeBlocks() + " free blocks exist");
        }
        List<Piece> buffered = new ArrayList<>();
        long bufferedBytes = 0;
        for (Ino f : files) {
            for (long[] c : f.copies) {
                long logical = c[0];
                long left = c[1];
                while (left > 0) {
                    boolean poolOk = bufferedBytes < opt.maxBufferedCopyBytes();
                    long max = poolOk ? Math.min(left, Math.max(1, (opt.maxBufferedCopyBytes() - bufferedBytes) / bs)) : left;
                    long[] got = poolOk ? blocks.takeFromPool(Math.min(max, MAX_PIECE)) : null;
                    boolean fromPool = got != null;
                    if (got == null) got = blocks.takeFree(Math.min(left, MAX_PIECE));
                    Piece p = new Piece(f, logical, got[0], got[1], null);
                    if (fromPool) {
                        byte[] data = opt.dryRun() ? null : read(f, logical, got[1]);
                        buffered.add(new Piece(f, logical, got[0], got[1], data));
                        bufferedBytes += got[1] * bs;
                    } else {
                        writePiece(p, opt.dryRun() ? null : read(f, logical, got[1]));
                    }
                    ExtentTree.append(f.extents, logical, got[0], got[1]);
                    f.dataBlocks += got[1];
                    blocksCopied += got[1];
                    logical += got[1];
                    left -= got[1];
                }
            }
            f.extents.sort(Comparator.comparingLong(Extent::logical));
            mergeExtents(f.extents);
        }
        // every read from the image is done: now its spare blocks may be overwritten
        flushCopies();
        for (Piece p : buffered) writePiece(p, p.data());
        flushCopies();
    }

    private static void mergeExtents(List<Extent> ex) {
        List<Extent> out = new ArrayList<>(ex.size());
        for (Extent e : ex) ExtentTree.append(out, e.logical(), e.physical(), e.length());
        ex.clear();
        ex.addAll(out);
    }

    private byte[] read(Ino f, long logical, long count) throws IOException {
        long off = logical * bs;
        long len = Math.min(count * bs, f.node().size() - off);
        byte[] buf = new byte[Math.toIntExact(count * bs)];
        if (f.item().content() == null) throw new IllegalArgumentException("file item without content layer");
        try {
            f.item().content().readFully(off, ByteBuffer.wrap(buf, 0, (int) len));
        } catch (java.io.EOFException e) {
            throw new HostException("reading " + f.item().content().describe() + " at " + off + ": " + e.getMessage(), e);
        }
        return buf;
    }

    // copied blocks wait here until a batch is full: one undo sync per batch, not per file
    private final long[] pendingBlocks = new long[COPY_BATCH];
    private final byte[][] pendingData = new byte[COPY_BATCH][];
    private int pending;

    private void writePiece(Piece p, byte[] data) throws IOException {
        if (opt.dryRun()) return;
        for (int i = 0; i < p.count(); i++) {
            pendingBlocks[pending] = p.phys() + i;
            pendingData[pending] = java.util.Arrays.copyOfRange(data, i * bs, (i + 1) * bs);
            if (++pending == COPY_BATCH) flushCopies();
        }
    }

    private void flushCopies() throws IOException {
        if (pending == 0) return;
        dev.willWrite(java.util.Arrays.copyOf(pendingBlocks, pending));
        for (int i = 0; i < pending; i++) {
            dev.write(pendingBlocks[i], pendingData[i]);
            pendingData[i] = null;
        }
        pending = 0;
    }

    // ---------------------------------------------------------------- phase 3: metadata

    private int preferGroup;

    private Ext4Inode baseInode(long ino, Node n, int typeBits) {
        Ext4Inode in = fs.newInode(ino);
        in.setGeneration(random.nextInt());
        int mode = n == null ? 0755 : n.mode() & 07777;
        in.setMode(typeBits | mode);
        in.setUid(n == null ? 0 : n.uid());
        in.setGid(n == null ? 0 : n.gid());
        Instant m = n == null || n.mtime() == null ? now : n.mtime();
        in.setTimes(n == null || n.atime() == null ? m : n.atime(), n == null || n.ctime() == null ? m : n.ctime(), m,
                n == null || n.btime() == null ? m : n.btime());
        return in;
    }

    /** Xattrs in the inode when they fit, else in one block; returns the blocks used (0 or 1). */
    private int writeXattrs(Ext4Inode in, Node n) throws IOException {
        if (n == null || n.xattrs() == null || n.xattrs().isEmpty()) return 0;
        if ((fs.superblock().compat() & Ext4Superblock.COMPAT_EXT_ATTR) == 0) {
            throw new HostException(fs.name() + ": host has no ext_attr feature but entries have extended attributes");
        }
        List<XattrCodec.Encoded> xs = XattrCodec.encode(n.xattrs());
        int start = 128 + in.extraIsize();
        int space = in.raw().length - start;
        // like the kernel: what fits goes into the inode body, the rest into one xattr block
        List<XattrCodec.Encoded> inInode = new ArrayList<>();
        List<XattrCodec.Encoded> rest = new ArrayList<>();
        for (XattrCodec.Encoded x : xs) {
            inInode.add(x);
            if (in.raw().length <= 128 || XattrCodec.inInodeSize(inInode) > space) {
                inInode.removeLast();
                rest.add(x);
            }
        }
        if (!inInode.isEmpty()) XattrCodec.writeInInode(in.raw(), start, inInode);
        if (rest.isEmpty()) return 0;
        long blk = blocks.allocBlock();
        byte[] b = XattrCodec.block(rest, bs, blk, fs.csum(), fs.seed());
        if (b == null) throw new HostException("extended attributes of " + n.id() + " do not fit the inode and one " + bs + "-byte block");
        System.arraycopy(b, 0, fs.freshBlock(blk), 0, bs);
        in.setFileAcl(blk);
        return 1;
    }

    private void writeFile(Ino f) throws IOException {
        Node n = f.node();
        int type = switch (n.type()) {
            case FILE -> Ext4Inode.S_IFREG;
            case SYMLINK -> Ext4Inode.S_IFLNK;
            case CHAR_DEVICE -> Ext4Inode.S_IFCHR;
            case BLOCK_DEVICE -> Ext4Inode.S_IFBLK;
            case FIFO -> Ext4Inode.S_IFIFO;
            case SOCKET -> Ext4Inode.S_IFSOCK;
            case DIRECTORY -> throw new IllegalStateException();
        };
        Ext4Inode in = baseInode(f.ino, n, type);
        in.setLinksCount(f.links);
        long iblocks = writeXattrs(in, n);
        switch (n.type()) {
            case FILE -> {
                in.setSize(n.size());
                if (n.size() >= (1L << 31)) fs.addRoCompat(Ext4Superblock.RO_LARGE_FILE);
                in.setFlags(Ext4Inode.FL_EXTENTS);
                ExtentTree.Built t = blocks.writeTree(f.extents, in);
                in.setIBlock(t.root());
                iblocks += f.dataBlocks + t.treeBlocks();
            }
            case SYMLINK -> {
                byte[] target = n.symlinkTarget();
                if (target == null || target.length == 0 || target.length >= bs) {
                    throw new HostException("symlink target of " + target.length + " bytes cannot be stored");
                }
                in.setSize(target.length);
                if (target.length < Ext4Inode.I_BLOCK_SIZE) {
                    in.setIBlock(target); // 4.1 (fast symlink): the target lives in i_block
                } else {
                    long blk = blocks.allocBlock();
                    System.arraycopy(target, 0, fs.freshBlock(blk), 0, target.length);
                    in.setFlags(Ext4Inode.FL_EXTENTS);
                    ExtentTree.Built t = blocks.writeTree(List.of(new Extent(0, blk, 1, false)), in);
                    in.setIBlock(t.root());
                    iblocks += 1;
                }
            }
            case CHAR_DEVICE, BLOCK_DEVICE -> {
                long ma = n.rdevMajor();
                long mi = n.rdevMinor();
                ByteBuffer b = ByteBuffer.allocate(Ext4Inode.I_BLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                // 4.1 (i_block for devices): old 16-bit encoding in word 0 when it fits, else the new one in word 1
                if (ma < 256 && mi < 256) b.putInt(0, (int) (ma << 8 | mi));
                else b.putInt(4, (int) ((mi & 0xFF) | (ma << 8) | ((mi & ~0xFFL) << 12)));
                in.setIBlock(b.array());
            }
            default -> { }
        }
        in.setBlocks512(iblocks * (bs / 512));
        fs.writeInode(in);
    }

    private void writeDir(Dir d, long parentIno) throws IOException {
        List<DirBlock.NewEntry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> e : d.children.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            if (e.getValue() instanceof Dir sd) entries.add(new DirBlock.NewEntry(name, sd.ino, DirBlock.FT_DIR));
            else {
                Ino f = (Ino) e.getValue();
                entries.add(new DirBlock.NewEntry(name, f.ino, ftype(f.node().type())));
            }
        }
        Ext4Inode in = baseInode(d.ino, d.meta, Ext4Inode.S_IFDIR);
        int links = 2 + d.subdirs;
        in.setLinksCount(links >= HostDirectories.LINK_MAX ? 1 : links);
        long iblocks = writeXattrs(in, d.meta);
        List<byte[]> data = DirBlock.pack(d.ino, parentIno, entries, bs, fs.csum());
        int indexBlocks = 0;
        // like the kernel: a directory that outgrows one block gets an htree index (when the host has dir_index)
        if (data.size() > 1 && (fs.superblock().compat() & Ext4Superblock.COMPAT_DIR_INDEX) != 0) {
            HtreeBuilder.Built h = HtreeBuilder.build(d.ino, parentIno, entries, bs, fs.csum(), fs.superblock());
            if (h != null) {
                data = h.blocks();
                indexBlocks = h.indexBlocks();
                in.setFlags(Ext4Inode.FL_INDEX);
            }
        }
        int seed = in.csumSeed(fs.seed());
        List<Extent> ex = new ArrayList<>();
        int i = 0;
        while (i < data.size()) {
            long[] got = blocks.take(data.size() - i, true);
            for (int k = 0; k < got[1]; k++) {
                byte[] b = data.get(i + k);
                if (fs.csum() && i + k < indexBlocks) HtreeBuilder.writeDxTail(b, seed);
                else if (fs.csum()) DirBlock.writeTail(b, seed);
                System.arraycopy(b, 0, fs.freshBlock(got[0] + k), 0, bs);
            }
            ExtentTree.append(ex, i, got[0], got[1]);
            i += (int) got[1];
        }
        in.setFlags(in.flags() | Ext4Inode.FL_EXTENTS);
        ExtentTree.Built t = blocks.writeTree(ex, in);
        in.setIBlock(t.root());
        in.setSize((long) data.size() * bs);
        in.setBlocks512((iblocks + data.size() + t.treeBlocks()) * (bs / 512));
        fs.writeInode(in);
    }

    private static int ftype(EntryType t) {
        return switch (t) {
            case FILE -> DirBlock.FT_REG;
            case DIRECTORY -> DirBlock.FT_DIR;
            case SYMLINK -> DirBlock.FT_SYMLINK;
            case CHAR_DEVICE -> DirBlock.FT_CHR;
            case BLOCK_DEVICE -> DirBlock.FT_BLK;
            case FIFO -> DirBlock.FT_FIFO;
            case SOCKET -> DirBlock.FT_SOCK;
        };
    }

    // ---------------------------------------------------------------- run

    OfflineReport run(String to, List<OfflineItem> items) throws IOException {
        // where the destination goes
        String norm = to.replaceAll("/+$", "");
        int slash = norm.lastIndexOf('/');
        String parentPath = slash <= 0 ? "/" : norm.substring(0, slash);
        byte[] destName = norm.substring(slash + 1).getBytes(StandardCharsets.UTF_8);
        if (destName.length == 0 || destName.length > 255 || norm.substring(slash + 1).equals("..") || norm.substring(slash + 1).equals(".")) {
            throw new HostException("bad destination path " + to);
        }
        OfflineSession.Lookup parent = OfflineSession.resolve(fs, parentPath);
        if (parent == null || parent.type() != DirBlock.FT_DIR) throw new HostException("destination parent " + parentPath + " is not a directory in the host filesystem");
        if (OfflineSession.lookup(fs, parent.ino(), destName) != 0) throw new HostException("destination " + to + " already exists");
        OfflineSession.Lookup img = OfflineSession.resolve(fs, session.imagePath());
        if (img == null || img.ino() != session.imageIno()) throw new HostException("image " + session.imagePath() + " changed since it was opened");
        preferGroup = (int) ((parent.ino() - 1) / fs.superblock().inodesPerGroup());

        long[] counts = new long[5];
        List<Ino> inodes = new ArrayList<>();
        Dir root = DestinationTree.build(items, inodes, counts);
        counts[1] = DestinationTree.countDirs(root);

        // phase 1: plan
        long bytes = 0;
        List<Ino> files = new ArrayList<>();
        for (Ino f : inodes) {
            if (f.node().type() == EntryType.FILE) {
                plan(f);
                files.add(f);
                bytes += f.node().size();
            }
        }
        Ext4Inode imgInode = fs.inode(session.imageIno());
        List<Long> imageMetaBlocks = new ArrayList<>(ExtentTree.read(fs, imgInode).treeBlocks());
        long xattrBlock = imgInode.fileAcl();
        if (xattrBlock != 0) {
            byte[] xb = fs.blockForWrite(xattrBlock);
            ByteBuffer b = ByteBuffer.wrap(xb).order(ByteOrder.LITTLE_ENDIAN);
            int ref = b.getInt(4);
            if (ref <= 1) imageMetaBlocks.add(xattrBlock);
            else {
                b.putInt(4, ref - 1);
                if (fs.csum()) {
                    b.putInt(16, 0);
                    b.putInt(16, io.vdetach.apply.offline.ext4.Crc32c.update(
                            io.vdetach.apply.offline.ext4.Crc32c.updateLong(fs.seed(), xattrBlock), xb, 0, bs));
                }
            }
        }

        lap("plan");
        // phase 2: copy
        copyPhase(files, imageMetaBlocks);
        lap("copy");
        // from now on every image block not donated may hold metadata
        blocks.pool.subList(0, blocks.poolHead).clear();
        blocks.poolHead = 0;
        blocks.pool.addAll(imageRanges(spare(true)));

        // phase 3: metadata. Remove the image's name first: its slot may take the new one
        dirs.removeEntry(img.dirIno(), lastName(session.imagePath()), img.ino());
        imgInode = fs.inode(session.imageIno());
        imgInode.setLinksCount(0);
        imgInode.setDtime(now.getEpochSecond());
        imgInode.setSize(0);
        imgInode.setBlocks512(0);
        imgInode.setFileAcl(0);
        imgInode.setIBlock(ExtentTree.build(List.of(), bs, null).root());
        fs.writeInode(imgInode);
        fs.freeInode(img.ino(), false);

        root.ino = fs.allocateInode(preferGroup, true);
        allocateInodes(root);
        lap("inodes allocated");
        for (Ino f : inodes) writeFile(f);
        lap("inodes written");
        writeDirs(root, parent.ino());
        lap("directories written");
        dirs.addEntry(parent.ino(), destName, root.ino, DirBlock.FT_DIR);
        dirs.touch(parent.ino(), 1);

        // image blocks nobody took go back to free space
        for (int i = blocks.poolHead; i < blocks.pool.size(); i++) {
            long[] r = blocks.pool.get(i);
            if (r[1] > 0) {
                fs.setBlocks(r[0], r[1], false);
                blocksFreed += r[1];
            }
        }
        long beforeCommit = dev.writes();
        int meta = fs.commit(!opt.dryRun());
        lap("commit");
        if (!opt.dryRun() && dev.writes() - beforeCommit != meta) throw new IllegalStateException("metadata write count mismatch");
        return new OfflineReport(counts[0], counts[1], counts[2], counts[3], counts[4], bytes, blocksDonated, blocksCopied,
                blocksFreed, meta, bs, opt.dryRun(), 0, List.copyOf(notes));
    }

    private static final boolean TIMING = Boolean.getBoolean("vdetach.offline.timing");
    private long lapStart = System.nanoTime();

    /** Phase timings on stderr with -Dvdetach.offline.timing=true (for the benchmark). */
    private void lap(String what) {
        if (!TIMING) return;
        long t = System.nanoTime();
        System.err.printf("offline: %-20s %.3f s%n", what, (t - lapStart) / 1e9);
        lapStart = t;
    }

    private static byte[] lastName(String path) {
        String p = path.replaceAll("/+$", "");
        return p.substring(p.lastIndexOf('/') + 1).getBytes(StandardCharsets.UTF_8);
    }

    private void allocateInodes(Dir d) throws IOException {
        for (Object o : d.children.values()) {
            if (o instanceof Dir sd) {
                sd.ino = fs.allocateInode(preferGroup, true);
                allocateInodes(sd);
            } else {
                Ino f = (Ino) o;
                if (f.ino == 0) f.ino = fs.allocateInode(preferGroup, false);
            }
        }
    }

    private void writeDirs(Dir d, long parentIno) throws IOException {
        writeDir(d, parentIno);
        for (Object o : d.children.values()) if (o instanceof Dir sd) writeDirs(sd, d.ino);
    }
}
