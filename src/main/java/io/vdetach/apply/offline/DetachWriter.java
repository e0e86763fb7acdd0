package io.vdetach.apply.offline;

import io.vdetach.apply.offline.DestinationTree.CopyRun;
import io.vdetach.apply.offline.DestinationTree.Dir;
import io.vdetach.apply.offline.DestinationTree.Entry;
import io.vdetach.apply.offline.DestinationTree.Ino;
import io.vdetach.apply.offline.device.CountingDevice;
import io.vdetach.apply.offline.ext4.BlockRun;
import io.vdetach.apply.offline.ext4.DirectoryBuilder;
import io.vdetach.apply.offline.ext4.Ext4Volume;
import io.vdetach.apply.offline.ext4.ExtentTreeBuilder;
import io.vdetach.apply.offline.ext4.HostDamageException;
import io.vdetach.error.HostException;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import io.vdetach.guestfs.ext.codec.Ext4DirEntry;
import io.vdetach.guestfs.ext.codec.Ext4Extent;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.Ext4Xattr;
import io.vdetach.guestfs.ext.codec.Ext4XattrHeader;
import io.vdetach.guestfs.ext.codec.Feature;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The offline detach itself, in three phases:
 * <ol>
 * <li>plan: every file block is donated (a block of an image file holding exactly its bytes),
 *     a hole, or copied, with the reason ({@link CopyReason});</li>
 * <li>copy: copied blocks go first into the image files' blocks that are not donated (their
 *     data is read into memory before any of them is overwritten), then into free space;</li>
 * <li>metadata: inodes, extent trees, directories, xattrs; the image files' entries and inodes
 *     go, their remaining blocks are reused for metadata or freed; bitmaps, descriptors and the
 *     superblock are written last, all through the undo log.</li>
 * </ol>
 * The image files are those of {@link OfflineSession#chainFiles}: the image's own, and with
 * {@link OfflineOptions#detachBacking()} its backing files; the chain's other files in the host
 * are only read.
 */
final class DetachWriter {
    /** Blocks per copy write batch (one undo sync each). */
    private static final int COPY_BATCH = 2048;
    /** Largest run of blocks read and placed at once (bounds the read buffer: 64 MiB at 4 KiB blocks). */
    private static final long MAX_PIECE = 16384;

    private final Ext4Volume fs;
    private final CountingDevice dev;
    private final OfflineOptions opt;
    private final int bs;
    private final HostFile deviceFile;
    private final long base;
    private final SplittableRandom random = new SplittableRandom(System.nanoTime());
    private final Instant now = Instant.now();

    // the image files handed over, the chain's files left, and per-image-block flags (ImageBlocks indexes)
    private final ImageBlocks donors;
    private final ImageBlocks kept;
    private final String format;
    private final BitSet donated = new BitSet();
    private final BitSet referenced = new BitSet();

    private long blocksDonated;
    private long bytesDonated;
    private final Map<String, Long> copiedBytes = new TreeMap<>();
    private long blocksCopied;
    private long blocksFreed;
    private final List<String> notes = new ArrayList<>();
    private final BlockSource blocks;
    private final HostDirectories dirs;
    /** The inode number each new directory and inode gets. */
    private final Map<Entry, Long> numbers = new IdentityHashMap<>();
    private int preferGroup;

    DetachWriter(Ext4Volume fs, CountingDevice dev, OfflineSession session, OfflineOptions opt) throws IOException {
        this.fs = fs;
        this.dev = dev;
        this.opt = opt;
        this.bs = fs.blockSize();
        this.deviceFile = session.deviceFile();
        this.base = session.offset();
        this.blocks = new BlockSource(fs);
        this.dirs = new HostDirectories(fs, blocks, notes, now);
        OfflineSession.ChainFiles chain = session.chainFiles(opt.detachBacking());
        for (HostFsFile f : chain.donors()) unchanged(f);
        for (HostFsFile f : chain.kept()) unchanged(f);
        this.donors = new ImageBlocks(chain.donors());
        this.kept = new ImageBlocks(chain.kept());
        if (donors.overlaps(kept)) {
            throw new HostDamageException(fs.name(), "extent trees", -1, "an image file and a backing file share blocks");
        }
        this.format = session.disk().format();
    }

    /** The guest runs were composed through {@code f}'s extents as they were when the session opened. */
    private void unchanged(HostFsFile f) throws IOException {
        if (!fs.extents(fs.inode(f.ino())).extents().equals(f.extents())) {
            throw new HostException(f.fsPath() + " changed since it was opened");
        }
    }

    // ---------------------------------------------------------------- phase 1: plan

    /** Runs of a file with those on files of the host (the image's) composed down to the device. */
    private static List<Run> deviceRuns(List<Run> runs) throws IOException {
        List<Run> out = new ArrayList<>(ExtentMaps.compose(runs));
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

    /** Decides, block by block, what each file block is: donated, hole or copied (and why). */
    private void plan(Ino f) throws IOException {
        long size = f.node().size();
        if (size < 0) throw new IllegalArgumentException("negative size");
        long nBlocks = Math.ceilDiv(size, bs);
        if (nBlocks > 0xFFFFFFFFL) throw new HostException("file of " + size + " bytes is too large for ext4 with " + bs + "-byte blocks");
        List<Run> runs = f.item().runs() == null ? List.of() : deviceRuns(f.item().runs());
        // first pass: remember every image block a mapped run reads, so no copy lands there before it is read
        for (Run r : runs) {
            if (r instanceof Run.Mapped m && onDevice(m)) {
                long first = (m.offset() - base) / bs;
                long last = (m.offset() - base + m.length() - 1) / bs;
                for (long p = first; p <= last; p++) {
                    long ib = donors.indexAt(p);
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
                copy(f, l, 1, mixedBlock(runs, ri, bEnd));
                l++;
                continue;
            }
            long coverEnd = Math.min(r.end(), size);
            long full = (coverEnd - bStart) / bs;
            if (coverEnd == size && (coverEnd - bStart) % bs != 0) full++;
            switch (r) {
                case Run.Hole h -> { /* stays a hole */ }
                case Run.Materialise m -> copy(f, l, full, CopyReason.materialised(m.reason()));
                case Run.Mapped m when !onDevice(m) -> copy(f, l, full, CopyReason.OTHER_FILESYSTEM);
                case Run.Mapped m -> {
                    long at = m.offset() - base + (bStart - m.start());
                    if (at % bs != 0) {
                        copy(f, l, full, kept.indexAt(at / bs) >= 0 ? CopyReason.BACKING_FILE : CopyReason.UNALIGNED);
                    } else {
                        donate(f, l, at / bs, full, size);
                    }
                }
            }
            l += full;
        }
    }

    /** Gives file blocks {@code l …} the device blocks from {@code p0} that an image file holds and no one took yet. */
    private void donate(Ino f, long l, long p0, long n, long size) {
        for (long k = 0; k < n; k++) {
            long ib = donors.indexAt(p0 + k);
            if (ib >= 0 && !donated.get((int) ib)) {
                donated.set((int) ib);
                ExtentTreeBuilder.append(f.extents(), l + k, p0 + k, 1);
                blocksDonated++;
                bytesDonated += Math.min(bs, size - (l + k) * bs);
            } else {
                copy(f, l + k, 1, ib >= 0 ? CopyReason.SHARED : kept.indexAt(p0 + k) >= 0 ? CopyReason.BACKING_FILE : CopyReason.OUTSIDE_IMAGE);
            }
        }
    }

    /** Why a block that no single run covers is copied: bytes to materialise in it, else it is partial. */
    private static String mixedBlock(List<Run> runs, int from, long bEnd) {
        boolean any = false;
        for (int i = from; i < runs.size() && runs.get(i).start() < bEnd; i++) {
            if (runs.get(i) instanceof Run.Materialise m) return CopyReason.materialised(m.reason());
            any = true;
        }
        return any ? CopyReason.PARTIAL_BLOCK : CopyReason.UNMAPPED;
    }

    private void copy(Ino f, long logical, long n, String reason) {
        List<CopyRun> copies = f.copies();
        if (!copies.isEmpty() && copies.getLast().logical() + copies.getLast().count() == logical) {
            copies.set(copies.size() - 1, new CopyRun(copies.getLast().logical(), copies.getLast().count() + n));
        } else {
            copies.add(new CopyRun(logical, n));
        }
        copiedBytes.merge(reason, Math.min(n * bs, f.node().size() - logical * bs), Long::sum);
    }

    /** Image blocks not donated: those no run reads, or (with {@code referencedOnly}) those runs read. */
    private BitSet spare(boolean referencedOnly) {
        BitSet b = donors.all();
        b.andNot(donated);
        if (referencedOnly) b.and(referenced);
        else b.andNot(referenced);
        return b;
    }

    // ---------------------------------------------------------------- phase 2: copy

    private record Piece(Ino file, long logical, long phys, long count, byte[] data) {}

    private void copyPhase(List<Ino> files, List<Long> imageMetaBlocks) throws IOException {
        // the copy pool: image blocks no run reads (guest metadata, free guest space), the image files' tree blocks,
        // then image blocks runs read but that are not donated (unaligned data, data of several files): every copy into
        // the pool is read into memory first and written only after the last read
        blocks.addToPool(donors.ranges(spare(false)));
        blocks.addToPool(imageMetaBlocks.stream().map(b -> new BlockRun(b, 1)).toList());
        blocks.addToPool(donors.ranges(spare(true)));
        // refuse before the first write when copies cannot fit (metadata needs a little more, checked as it goes)
        long toCopy = 0;
        for (Ino f : files) for (CopyRun c : f.copies()) toCopy += c.count();
        long poolBlocks = blocks.poolBlocks();
        if (toCopy > poolBlocks + fs.freeBlocks()) {
            throw new HostException(fs.name() + ": " + toCopy + " blocks must be copied but only " + poolBlocks
                    + " spare image blocks and " + fs.freeBlocks() + " free blocks exist");
        }
        List<Piece> buffered = new ArrayList<>();
        long bufferedBytes = 0;
        long filesDone = 0;
        long bytesDone = 0;
        for (Ino f : files) {
            for (CopyRun c : f.copies()) {
                long logical = c.logical();
                long left = c.count();
                while (left > 0) {
                    boolean poolOk = bufferedBytes < opt.maxBufferedCopyBytes();
                    long max = poolOk ? Math.min(left, Math.max(1, (opt.maxBufferedCopyBytes() - bufferedBytes) / bs)) : left;
                    BlockRun got = poolOk ? blocks.takeFromPool(Math.min(max, MAX_PIECE)) : null;
                    if (got != null) {
                        buffered.add(new Piece(f, logical, got.start(), got.count(), opt.dryRun() ? null : read(f, logical, got.count())));
                        bufferedBytes += got.count() * bs;
                    } else {
                        got = blocks.takeFree(Math.min(left, MAX_PIECE));
                        writePiece(new Piece(f, logical, got.start(), got.count(), null), opt.dryRun() ? null : read(f, logical, got.count()));
                    }
                    ExtentTreeBuilder.append(f.extents(), logical, got.start(), got.count());
                    blocksCopied += got.count();
                    logical += got.count();
                    left -= got.count();
                }
            }
            f.extents().sort(Comparator.comparingLong(Ext4Extent::logical));
            mergeExtents(f.extents());
            bytesDone += f.node().size();
            opt.progress().update(++filesDone, bytesDone, Math.min(bytesDone, blocksDonated * bs));
        }
        // every read from the image is done: now its spare blocks may be overwritten
        flushCopies();
        for (Piece p : buffered) writePiece(p, p.data());
        flushCopies();
    }

    private static void mergeExtents(List<Ext4Extent> ex) {
        List<Ext4Extent> out = new ArrayList<>(ex.size());
        for (Ext4Extent e : ex) ExtentTreeBuilder.append(out, e.logical(), e.physical(), e.length());
        ex.clear();
        ex.addAll(out);
    }

    private byte[] read(Ino f, long logical, long count) throws IOException {
        long off = logical * bs;
        long len = Math.min(count * bs, f.node().size() - off);
        byte[] buf = new byte[Math.toIntExact(count * bs)];
        if (f.item().content() == null) throw new IllegalArgumentException("file item without content layer");
        f.item().content().readFully(off, ByteBuffer.wrap(buf, 0, (int) len));
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
            pendingData[pending] = Arrays.copyOfRange(data, i * bs, (i + 1) * bs);
            if (++pending == COPY_BATCH) flushCopies();
        }
    }

    private void flushCopies() throws IOException {
        if (pending == 0) return;
        dev.willWrite(Arrays.copyOf(pendingBlocks, pending));
        for (int i = 0; i < pending; i++) {
            dev.write(pendingBlocks[i], pendingData[i]);
            pendingData[i] = null;
        }
        pending = 0;
    }

    // ---------------------------------------------------------------- phase 3: metadata

    /** A new inode with the node's type, mode, owner and times (a directory without metadata: 0755, root, now). */
    private Ext4Inode baseInode(long ino, Node n, int typeBits) {
        Instant m = n == null || n.mtime() == null ? now : n.mtime();
        return Ext4Inode.fresh(ino, fs.superblock()).withOwner(typeBits | (n == null ? 0755 : n.mode() & 07777), n == null ? 0 : n.uid(),
                n == null ? 0 : n.gid(), random.nextInt(), n == null || n.atime() == null ? m : n.atime(),
                n == null || n.ctime() == null ? m : n.ctime(), m, n == null || n.btime() == null ? m : n.btime());
    }

    /** {@code in} with {@code n}'s xattrs: in the inode when they fit, the rest in one block (like the kernel). */
    private Ext4Inode withXattrs(Ext4Inode in, Node n) throws IOException {
        if (n == null || n.xattrs() == null || n.xattrs().isEmpty()) return in;
        if (!fs.superblock().has(Feature.EXT_ATTR)) {
            throw new HostException(fs.name() + ": host has no ext_attr feature but entries have extended attributes");
        }
        List<Ext4Xattr> all = new ArrayList<>();
        for (Xattr x : n.xattrs()) {
            Ext4Xattr e = Ext4Xattr.fromVfs(x.name(), x.value());
            if (e == null) throw new HostException("extended attribute " + x.name() + " cannot be stored on an ext4 host");
            all.add(e);
        }
        all.sort(Ext4Xattr.ORDER);
        List<Ext4Xattr> inInode = new ArrayList<>();
        List<Ext4Xattr> rest = new ArrayList<>();
        int space = fs.superblock().inodeSize() - in.ibodyOffset();
        for (Ext4Xattr e : all) {
            inInode.add(e);
            if (Ext4Xattr.ibody(inInode, space) == null) rest.add(inInode.removeLast());
        }
        byte[] ibody = inInode.isEmpty() ? in.ibody() : Ext4Xattr.ibody(inInode, space);
        if (rest.isEmpty()) return in.withXattrs(ibody, 0);
        long blk = blocks.allocBlock();
        byte[] b = Ext4Xattr.block(rest, blk, fs.superblock());
        if (b == null) throw new HostException("extended attributes of " + n.id() + " do not fit the inode and one " + bs + "-byte block");
        fs.put(blk, b);
        return in.withXattrs(ibody, blk);
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
            case DIRECTORY -> throw new IllegalStateException("a directory among the inodes");
        };
        Ext4Inode in = withXattrs(baseInode(numbers.get(f), n, type).withLinksCount(f.links()), n);
        long iblocks = in.fileAcl() != 0 ? 1 : 0;
        switch (n.type()) {
            case FILE -> {
                if (n.size() >= (1L << 31)) fs.addRoCompat(Feature.LARGE_FILE);
                ExtentTreeBuilder.Built t = blocks.writeTree(f.extents(), in);
                in = in.withData(Ext4Inode.EXTENTS_FL, t.root(), n.size(), (iblocks + f.dataBlocks() + t.treeBlocks()) * (bs / 512));
            }
            case SYMLINK -> {
                byte[] target = n.symlinkTarget();
                if (target == null || target.length == 0 || target.length >= bs) {
                    throw new HostException("symlink target of " + (target == null ? 0 : target.length) + " bytes cannot be stored");
                }
                if (target.length < Ext4Inode.BLOCK_BYTES) {
                    // a fast symlink: the target lives in i_block ("Index Nodes", i_block)
                    in = in.withData(0, Arrays.copyOf(target, Ext4Inode.BLOCK_BYTES), target.length, iblocks * (bs / 512));
                } else {
                    long blk = blocks.allocBlock();
                    fs.put(blk, Arrays.copyOf(target, bs));
                    ExtentTreeBuilder.Built t = blocks.writeTree(List.of(new Ext4Extent(0, 1, false, blk)), in);
                    in = in.withData(Ext4Inode.EXTENTS_FL, t.root(), target.length, (iblocks + 1) * (bs / 512));
                }
            }
            case CHAR_DEVICE, BLOCK_DEVICE ->
                    in = in.withData(0, Ext4Inode.deviceBlock(n.rdevMajor(), n.rdevMinor()), 0, iblocks * (bs / 512));
            default -> in = in.withData(0, in.block(), 0, iblocks * (bs / 512));
        }
        fs.writeInode(in);
    }

    private void writeDir(Dir d, long parentIno) throws IOException {
        long self = numbers.get(d);
        List<Ext4DirEntry> entries = new ArrayList<>();
        for (Map.Entry<String, Entry> e : d.children().entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            int type = switch (e.getValue()) {
                case Dir sd -> Ext4DirEntry.FT_DIR;
                case Ino f -> ftype(f.node().type());
            };
            entries.add(new Ext4DirEntry(numbers.get(e.getValue()), 0, type, name));
        }
        long links = 2 + d.subdirs();
        Ext4Inode in = withXattrs(baseInode(self, d.meta(), Ext4Inode.S_IFDIR).withLinksCount(links >= HostDirectories.LINK_MAX ? 1 : (int) links), d.meta());
        long iblocks = in.fileAcl() != 0 ? 1 : 0;
        // like the kernel: a directory that outgrows one block gets an htree index (when the host has dir_index)
        DirectoryBuilder.Built built = DirectoryBuilder.build(self, parentIno, entries, fs.superblock(),
                fs.csum() ? in.csumSeed(fs.superblock()) : null);
        List<byte[]> data = built.blocks();
        List<Ext4Extent> ex = new ArrayList<>();
        int i = 0;
        while (i < data.size()) {
            BlockRun got = blocks.take(data.size() - i);
            for (int k = 0; k < got.count(); k++) fs.put(got.start() + k, data.get(i + k));
            ExtentTreeBuilder.append(ex, i, got.start(), got.count());
            i += (int) got.count();
        }
        ExtentTreeBuilder.Built t = blocks.writeTree(ex, in);
        int flags = Ext4Inode.EXTENTS_FL | (built.indexed() ? Ext4Inode.INDEX_FL : 0);
        fs.writeInode(in.withData(flags, t.root(), (long) data.size() * bs, (iblocks + data.size() + t.treeBlocks()) * (bs / 512)));
    }

    private static int ftype(EntryType t) {
        return switch (t) {
            case FILE -> Ext4DirEntry.FT_REG;
            case DIRECTORY -> Ext4DirEntry.FT_DIR;
            case SYMLINK -> Ext4DirEntry.FT_SYMLINK;
            case CHAR_DEVICE -> Ext4DirEntry.FT_CHR;
            case BLOCK_DEVICE -> Ext4DirEntry.FT_BLK;
            case FIFO -> Ext4DirEntry.FT_FIFO;
            case SOCKET -> Ext4DirEntry.FT_SOCK;
        };
    }

    /**
     * An image file's xattr block: one only it uses is spare for metadata; a shared one loses
     * the image file's reference.
     */
    private void releaseXattrBlock(Ext4Inode img, List<Long> spareBlocks) throws IOException {
        long block = img.fileAcl();
        if (block == 0) return;
        if (block <= fs.superblock().firstDataBlock() || block >= fs.blocksCount()) {
            throw new HostDamageException(fs.name(), "inode " + img.number(),
                    fs.deviceOffset(img.offset()), "i_file_acl " + block + " outside the filesystem");
        }
        long at = block * bs;
        Ext4XattrHeader h = fs.host(() -> Ext4XattrHeader.parse(ByteBuffer.wrap(fs.block(block)), fs.superblock().typeName(),
                "xattr block of inode " + img.number(), at));
        if (h.refcount() <= 1) {
            spareBlocks.add(block);
            return;
        }
        byte[] b = fs.block(block).clone();
        h.withRefcount(h.refcount() - 1).serialise(b, block, fs.superblock());
        fs.put(block, b);
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
        HostDirectories.Lookup parent = HostDirectories.resolve(fs, parentPath);
        if (parent == null || parent.type() != Ext4DirEntry.FT_DIR) throw new HostException("destination parent " + parentPath + " is not a directory in the host filesystem");
        if (HostDirectories.lookup(fs, parent.ino(), destName) != 0) throw new HostException("destination " + to + " already exists");
        List<HostDirectories.Lookup> entries = new ArrayList<>();
        for (HostFsFile d : donors.files()) {
            HostDirectories.Lookup e = HostDirectories.resolve(fs, d.fsPath());
            if (e == null || e.ino() != d.ino()) throw new HostException("image file " + d.fsPath() + " changed since it was opened");
            entries.add(e);
        }
        preferGroup = (int) ((parent.ino() - 1) / fs.superblock().inodesPerGroup());

        DestinationTree.Tree tree = DestinationTree.build(items);

        // phase 1: plan
        long bytes = 0;
        List<Ino> files = new ArrayList<>();
        for (Ino f : tree.inodes()) {
            if (f.node().type() == EntryType.FILE) {
                plan(f);
                files.add(f);
                bytes += f.node().size();
            }
        }
        opt.progress().expect(bytes, files.size());
        List<Long> imageMetaBlocks = new ArrayList<>();
        for (HostFsFile d : donors.files()) {
            Ext4Inode in = fs.inode(d.ino());
            imageMetaBlocks.addAll(fs.extents(in).treeBlocks());
            releaseXattrBlock(in, imageMetaBlocks);
        }

        lap("plan");
        // phase 2: copy
        copyPhase(files, imageMetaBlocks);
        lap("copy");
        // from now on every image block not donated may hold metadata (all of them are in the pool)

        // phase 3: metadata. Remove the image files' names first: their slots may take the new one
        for (int i = 0; i < entries.size(); i++) {
            HostDirectories.Lookup e = entries.get(i);
            dirs.removeEntry(e.dirIno(), lastName(donors.files().get(i).fsPath()), e.ino());
            fs.writeInode(fs.inode(e.ino()).deleted((int) now.getEpochSecond(), ExtentTreeBuilder.emptyRoot()));
            fs.freeInode(e.ino(), false);
        }

        numbers.put(tree.root(), fs.allocateInode(preferGroup, true));
        allocateInodes(tree.root());
        lap("inodes allocated");
        for (Ino f : tree.inodes()) writeFile(f);
        lap("inodes written");
        writeDirs(tree.root(), parent.ino());
        lap("directories written");
        dirs.addEntry(parent.ino(), destName, numbers.get(tree.root()), Ext4DirEntry.FT_DIR);
        dirs.touch(parent.ino(), 1);

        // image blocks nobody took go back to free space
        for (BlockRun r : blocks.drainPool()) {
            fs.setBlocks(r.start(), r.count(), false);
            blocksFreed += r.count();
        }
        long beforeCommit = dev.writes();
        int meta = fs.commit(!opt.dryRun());
        lap("commit");
        opt.progress().done();
        if (!opt.dryRun() && dev.writes() - beforeCommit != meta) throw new IllegalStateException("metadata write count mismatch");
        DestinationTree.Counts c = tree.counts();
        return new OfflineReport(c.files(), c.directories(), c.symlinks(), c.hardlinks(), c.others(), bytes, blocksDonated, blocksCopied,
                blocksFreed, meta, bs, opt.dryRun(), 0, notes, format, bytesDonated, copiedBytes,
                donors.files().stream().map(HostFsFile::fsPath).toList(), kept.files().stream().map(HostFsFile::fsPath).toList());
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
        for (Entry e : d.children().values()) {
            switch (e) {
                case Dir sd -> {
                    numbers.put(sd, fs.allocateInode(preferGroup, true));
                    allocateInodes(sd);
                }
                case Ino f -> {
                    if (!numbers.containsKey(f)) numbers.put(f, fs.allocateInode(preferGroup, false));
                }
            }
        }
    }

    private void writeDirs(Dir d, long parentIno) throws IOException {
        writeDir(d, parentIno);
        for (Entry e : d.children().values()) if (e instanceof Dir sd) writeDirs(sd, numbers.get(d));
    }
}
