package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.CachedLayer;
import io.vdetach.extent.Claims;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TimePrecision;
import io.vdetach.guestfs.Xattr;
import io.vdetach.guestfs.ext.codec.DirBlock;
import io.vdetach.guestfs.ext.codec.Ext4Acl;
import io.vdetach.guestfs.ext.codec.Ext4DirEntry;
import io.vdetach.guestfs.ext.codec.Ext4GroupDesc;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;
import io.vdetach.guestfs.ext.codec.Ext4Xattr;
import io.vdetach.guestfs.ext.codec.Ext4XattrEntry;
import io.vdetach.guestfs.ext.codec.Ext4XattrHeader;
import io.vdetach.guestfs.ext.codec.ExtentTree;
import io.vdetach.guestfs.ext.codec.Feature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * ext2, ext3 and ext4, read-only: the superblock and group descriptors locate inodes; inodes
 * give metadata, xattrs and block mappings (extent trees or block maps, inline data);
 * directories are read linearly (hash trees included). The journal is not replayed.
 * Source: the Linux kernel's "ext4 Data Structures and Algorithms" (Documentation/filesystems/ext4).
 *
 * <p>Damage found while opening fails the open; damage in one inode fails only the call that
 * reads that inode ({@link #node}, {@link #list}, {@link #content}).
 */
public final class ExtFilesystem implements GuestFilesystem {
    static final long ROOT_INODE = 2;
    /**
     * Metadata (inode tables, descriptors, tree and xattr blocks) is read and cached in units of
     * this many bytes: 256 inodes of 256 bytes at once for sequential walks of huge trees.
     */
    private static final int CHUNK = 64 * 1024;
    /** Linux's XATTR_SIZE_MAX: no attribute value can be larger. */
    private static final int MAX_XATTR_VALUE = 65536;
    /** Bytes read from a directory per volume read. */
    private static final int DIR_READ = 1 << 20;
    /** Every incompat feature this reader understands; any other bit means it must not guess. */
    private static final Set<Feature> READABLE = EnumSet.of(Feature.FILETYPE, Feature.RECOVER, Feature.META_BG, Feature.EXTENTS,
            Feature.BIT64, Feature.MMP, Feature.FLEX_BG, Feature.EA_INODE, Feature.CSUM_SEED, Feature.LARGEDIR,
            Feature.INLINE_DATA, Feature.ENCRYPT, Feature.CASEFOLD);

    private final Layer volume;
    private final Layer meta;
    private final Ext4SuperBlock sb;
    private final String type;
    private final List<String> warnings;

    private ExtFilesystem(Layer volume, BlockCache cache, Ext4SuperBlock sb, List<String> warnings) {
        this.volume = volume;
        this.meta = new CachedLayer(volume, CHUNK, cache);
        this.sb = sb;
        this.type = sb.typeName();
        this.warnings = warnings;
    }

    /** Opens the filesystem on {@code volume} with a cache of its own; the probe has already seen its magic. */
    public static ExtFilesystem open(Layer volume) throws IOException {
        return open(volume, BlockCache.withDefaultBudget());
    }

    /** Opens the filesystem on {@code volume}, its metadata cached in {@code cache} (the image's one cache). */
    public static ExtFilesystem open(Layer volume, BlockCache cache) throws IOException {
        if (volume.size() < Ext4SuperBlock.OFFSET + Ext4SuperBlock.SIZE) {
            throw new CorruptImageException("ext", "superblock", Ext4SuperBlock.OFFSET, "volume of " + volume.size() + " bytes is too small");
        }
        Ext4SuperBlock sb = Ext4SuperBlock.parse(volume.readBytes(Ext4SuperBlock.OFFSET, Ext4SuperBlock.SIZE));
        // What the volume is not, or uses beyond this reader, is said before its geometry is judged.
        String type = sb.typeName();
        if (sb.has(Feature.JOURNAL_DEV)) {
            throw UnsupportedImageException.because(type, "this volume is an external journal device, it holds no files");
        }
        if (sb.has(Feature.COMPRESSION)) throw new UnsupportedImageException(type, "e2compr compression");
        if (sb.has(Feature.DIRDATA)) throw new UnsupportedImageException(type, "the dirdata feature (Lustre)");
        List<String> unknown = Feature.outside(Feature.Field.INCOMPAT, sb.featureIncompat(), READABLE);
        if (!unknown.isEmpty()) throw new UnsupportedImageException(type, "incompatible features " + String.join(", ", unknown));
        sb.validate(volume.size());
        List<String> warnings = new ArrayList<>();
        if (sb.has(Feature.RECOVER)) warnings.add("journal needs recovery (not replayed); reading as is");
        if ((sb.state() & Ext4SuperBlock.STATE_ERRORS) != 0) warnings.add("filesystem is marked as having errors (s_state); run e2fsck on a copy");
        if (sb.has(Feature.ENCRYPT)) warnings.add("filesystem uses fscrypt: encrypted files and directories cannot be read");
        ExtFilesystem fs = new ExtFilesystem(volume, cache, sb, List.copyOf(warnings));
        fs.descriptor(0); // The first group must be sound for anything to be readable.
        return fs;
    }

    @Override public String type() { return type; }

    @Override public String label() { return sb.label(); }

    @Override public int blockSize() { return sb.blockSize(); }

    /**
     * Inodes larger than the 128 bytes of ext2's original layout carry the _extra time words
     * (nanoseconds, epoch bits) and i_crtime; 128-byte inodes keep whole seconds and no creation time.
     */
    @Override
    public TimePrecision timePrecision() {
        return sb.inodeSize() > 128 ? TimePrecision.NANOSECONDS : TimePrecision.SECONDS;
    }

    @Override public String inodeLabel(Node node) { return Long.toString(node.id()); }

    /** From the free counts as last written: only an estimate for progress. */
    @Override public long usedBytes() { return (sb.blocksCount() - Math.min(sb.blocksCount(), sb.freeBlocksCount())) * sb.blockSize(); }

    @Override public long usedEntries() { return sb.inodesCount() - Math.min(sb.inodesCount(), sb.freeInodesCount()); }

    @Override public List<String> warnings() { return warnings; }

    @Override public long rootId() { return ROOT_INODE; }

    @Override
    public Node node(long id) throws IOException {
        return nodeOf(inode(id));
    }

    /** The node of an inode as read (in use, or a deleted one the --deleted scan recovers). */
    Node nodeOf(Ext4Inode ino) throws IOException {
        long id = ino.number();
        EntryType t = entryType(ino);
        byte[] target = null;
        Ext4Inode.Device device = new Ext4Inode.Device(0, 0);
        List<String> notes = new ArrayList<>(0);
        switch (t) {
            case SYMLINK -> target = symlinkTarget(ino);
            case CHAR_DEVICE, BLOCK_DEVICE -> device = ino.device();
            default -> { }
        }
        if (ino.hasFlag(Ext4Inode.ENCRYPT_FL)) notes.add("encrypted (fscrypt): names and content cannot be read without the key");
        if (ino.hasFlag(Ext4Inode.VERITY_FL)) notes.add("fs-verity protected (the Merkle tree is not extracted)");
        List<Xattr> xattrs = new ArrayList<>(0);
        for (Ext4Xattr x : xattrs(ino)) {
            String name = x.vfsName();
            if (name == null) continue;
            byte[] value = x.value();
            if (x.index() == Ext4Xattr.POSIX_ACL_ACCESS || x.index() == Ext4Xattr.POSIX_ACL_DEFAULT) {
                value = Ext4Acl.toVfs(value, type, "POSIX ACL of inode " + id, ino.offset());
            }
            xattrs.add(new Xattr(name, value));
        }
        return new Node(id, t, ino.mode() & 07777, ino.uid(), ino.gid(), ino.size(), ino.linksCount(), ino.mtime().instant(),
                ino.atime().instant(), ino.ctime().instant(), ino.crtime() == null ? null : ino.crtime().instant(), target,
                device.major(), device.minor(), List.copyOf(xattrs), List.copyOf(notes), -1);
    }

    @Override
    public List<DirEntry> list(Node directory) throws IOException {
        List<DirEntry> out = new ArrayList<>();
        Entries es = entries(directory);
        for (DirEntry e; (e = es.next()) != null; ) out.add(e);
        return out;
    }

    /** A directory's entries, read a megabyte of its blocks at a time (inline directories whole: they are small). */
    @Override
    public Entries entries(Node directory) throws IOException {
        Ext4Inode ino = inode(directory.id());
        if (entryType(ino) != EntryType.DIRECTORY) throw new IllegalArgumentException("inode " + ino.number() + " is not a directory");
        if (ino.hasFlag(Ext4Inode.ENCRYPT_FL)) {
            throw new UnsupportedImageException(type, "listing the encrypted (fscrypt) directory inode " + ino.number());
        }
        if (ino.hasFlag(Ext4Inode.INLINE_DATA_FL)) {
            List<DirEntry> out = new ArrayList<>();
            // i_block: the parent's inode number, then entries; more entries in system.data.
            ByteBuffer b = ByteBuffer.wrap(ino.block());
            entries(DirBlock.parse(b, 4, Ext4Inode.BLOCK_BYTES - 4, ino.offset() + 0x28 + 4, sb, ino.number()), false, out);
            byte[] more = systemData(ino);
            if (more.length > 0) entries(DirBlock.parse(ByteBuffer.wrap(more), 0, more.length, ino.offset(), sb, ino.number()), false, out);
            return new DirectoryStream(volume, type, sb, ino, List.of(), DIR_READ, ROOT_INODE).with(out);
        }
        int bs = sb.blockSize();
        if (ino.size() % bs != 0) {
            throw new CorruptImageException(type, "inode " + ino.number(), ino.offset() + 4,
                    "directory size " + ino.size() + " is not a multiple of the block size");
        }
        List<Run> runs = mappedRuns(ino).table().runs();
        refuseSelfClaims(ino, runs);
        return new DirectoryStream(volume, type, sb, ino, runs, DIR_READ, ROOT_INODE);
    }

    /**
     * A directory whose blocks claim the same image bytes twice, down to the image files (blocks
     * mapped twice by its extents, or onto one container cluster by the qcow2/VHD/VMDK tables), is
     * corrupt: it would present the same entries again and again.
     */
    private void refuseSelfClaims(Ext4Inode ino, List<Run> runs) throws IOException {
        Claims.Overlap o = Claims.firstOverlap(ExtentMaps.compose(runs));
        if (o != null) {
            throw new CorruptImageException(type, "directory inode " + ino.number(), ino.offset(), "its bytes "
                    + o.second().start() + ".." + o.second().end() + " lie where its bytes " + o.first().start() + ".."
                    + o.first().end() + " lie already (" + o.second().target().describe() + " offset " + o.second().offset() + ")");
        }
    }

    /**
     * The live entries of a block, without the directory's own "." and "..": those are the first
     * two records of its first block ({@code dotsFirst}). A "." or ".." anywhere else is a crafted
     * name and is passed on for the extractor to refuse and report. Hash-tree blocks read the same
     * way, so every live name is seen exactly once.
     */
    static void entries(DirBlock block, boolean dotsFirst, List<DirEntry> out) {
        List<Ext4DirEntry> es = block.entries();
        for (int i = 0; i < es.size(); i++) {
            Ext4DirEntry e = es.get(i);
            if (e.inode() == 0 || dotsFirst && i < 2 && e.isDot(i + 1)) continue;
            out.add(new DirEntry(e.name(), e.inode()));
        }
    }

    @Override
    public Layer content(Node file) throws IOException {
        Ext4Inode ino = inode(file.id());
        if (entryType(ino) != EntryType.FILE) throw new IllegalArgumentException("inode " + ino.number() + " is not a regular file");
        if (ino.hasFlag(Ext4Inode.ENCRYPT_FL)) {
            throw new UnsupportedImageException(type, "reading the encrypted (fscrypt) file inode " + ino.number());
        }
        return fileData(ino);
    }

    // ---- inodes ----------------------------------------------------------------------------

    /** The inode, checked to be in use and of a known type. */
    Ext4Inode inode(long n) throws IOException {
        if (n < 1 || n > sb.inodesCount()) {
            // A number outside the table: no byte of it is to blame, the entry naming it is.
            throw new CorruptImageException(type, "inode number", -1, "inode " + n + " outside 1.." + sb.inodesCount());
        }
        long group = (n - 1) / sb.inodesPerGroup();
        long index = (n - 1) % sb.inodesPerGroup();
        Ext4GroupDesc gd = descriptor(group);
        if (gd.hasFlag(Ext4GroupDesc.INODE_UNINIT) && (sb.has(Feature.GDT_CSUM) || sb.has(Feature.METADATA_CSUM))) {
            // The group's inode table was never initialised: none of its inodes is in use.
            throw new CorruptImageException(type, "inode " + n, sb.descriptorOffset(group) + 0x12,
                    "its group " + group + " has no initialised inodes (INODE_UNINIT)");
        }
        long offset = gd.inodeTable() * sb.blockSize() + index * sb.inodeSize();
        Ext4Inode ino = Ext4Inode.parse(meta.readBytes(offset, sb.inodeSize()), 0, n, offset, sb, false);
        if (ino.mode() == 0 || ino.linksCount() == 0) {
            throw new CorruptImageException(type, "inode " + n, offset, "not in use (mode 0" + Integer.toOctalString(ino.mode())
                    + ", " + ino.linksCount() + " links) but named by a directory");
        }
        if (entryType(ino) == null) {
            throw new CorruptImageException(type, "inode " + n, offset, "unknown file type in mode 0" + Integer.toOctalString(ino.mode()));
        }
        return ino;
    }

    /**
     * Inode {@code n} as stored, whether in use or not (--deleted); null when its group's inode
     * table was never initialised.
     */
    Ext4Inode rawInode(long n) throws IOException {
        long group = (n - 1) / sb.inodesPerGroup();
        long index = (n - 1) % sb.inodesPerGroup();
        Ext4GroupDesc gd = descriptor(group);
        if (gd.hasFlag(Ext4GroupDesc.INODE_UNINIT) && (sb.has(Feature.GDT_CSUM) || sb.has(Feature.METADATA_CSUM))) return null;
        long offset = gd.inodeTable() * sb.blockSize() + index * sb.inodeSize();
        return Ext4Inode.parse(meta.readBytes(offset, sb.inodeSize()), 0, n, offset, sb, false);
    }

    /** Whether block {@code block} is allocated now, as its group's block bitmap says (a never initialised bitmap: free). */
    boolean blockAllocated(long block) throws IOException {
        if (block < sb.firstDataBlock() || block >= sb.blocksCount()) return true; // outside the groups: nothing says it is free
        long group = (block - sb.firstDataBlock()) / sb.blocksPerGroup();
        long bit = (block - sb.firstDataBlock()) % sb.blocksPerGroup();
        Ext4GroupDesc gd = descriptor(group);
        if (gd.hasFlag(Ext4GroupDesc.BLOCK_UNINIT) && (sb.has(Feature.GDT_CSUM) || sb.has(Feature.METADATA_CSUM))) return false;
        int b = meta.readBytes(gd.blockBitmap() * sb.blockSize() + bit / 8, 1).get(0) & 0xff;
        return (b & (1 << (bit % 8))) != 0;
    }

    /** The blocks of a directory inode, mapped onto the volume (not inline ones). */
    List<Run> directoryRuns(Ext4Inode ino) throws IOException {
        return mappedRuns(ino).table().runs();
    }

    /** A regular file's data as its inode maps it (also a deleted one whose block pointers survive). */
    Layer contentOf(Ext4Inode ino) throws IOException {
        return fileData(ino);
    }

    Ext4SuperBlock superBlock() { return sb; }

    /** Names in directory slack and deleted inodes (--deleted): see {@link DeletedInodes}. */
    @Override
    public java.util.Optional<io.vdetach.guestfs.DeletedEntries> deleted() throws IOException {
        return java.util.Optional.of(new DeletedInodes(this));
    }

    /** The entry type, or null when the mode's type bits name no known type. */
    static EntryType entryType(Ext4Inode ino) {
        return switch (ino.fileType()) {
            case Ext4Inode.S_IFREG -> EntryType.FILE;
            case Ext4Inode.S_IFDIR -> EntryType.DIRECTORY;
            case Ext4Inode.S_IFLNK -> EntryType.SYMLINK;
            case Ext4Inode.S_IFCHR -> EntryType.CHAR_DEVICE;
            case Ext4Inode.S_IFBLK -> EntryType.BLOCK_DEVICE;
            case Ext4Inode.S_IFIFO -> EntryType.FIFO;
            case Ext4Inode.S_IFSOCK -> EntryType.SOCKET;
            default -> null;
        };
    }

    private Ext4GroupDesc descriptor(long group) throws IOException {
        if (group >= sb.groupCount()) {
            throw new CorruptImageException(type, "group descriptor " + group, -1, "group " + group + " does not exist");
        }
        long offset = sb.descriptorOffset(group);
        if (offset / sb.blockSize() >= sb.blocksCount()) {
            throw new CorruptImageException(type, "group descriptor " + group, offset, "descriptor block past the volume");
        }
        return Ext4GroupDesc.parse(meta.readBytes(offset, sb.descSize()), 0, group, sb, offset, false);
    }

    // ---- file data -------------------------------------------------------------------------

    private ExtFile fileData(Ext4Inode ino) throws IOException {
        if (ino.hasFlag(Ext4Inode.INLINE_DATA_FL)) return ExtFile.inline(inlineData(ino), ino.size(), describe(ino));
        return mappedRuns(ino);
    }

    private ExtFile mappedRuns(Ext4Inode ino) throws IOException {
        BlockRuns runs = new BlockRuns(sb, volume, ino.number(), ino.size());
        if (ino.hasFlag(Ext4Inode.EXTENTS_FL)) {
            ExtentTree.walk(ino, sb, b -> meta.readBytes(b * sb.blockSize(), sb.blockSize()), runs.fileBlocks(), false,
                    (e, at) -> runs.add(e.logical(), e.physical(), e.length(), e.unwritten(), "extent tree of inode " + ino.number(), at));
        } else {
            BlockMap.collect(meta, sb, ino, runs);
        }
        return ExtFile.mapped(runs.build(), describe(ino));
    }

    private String describe(Ext4Inode ino) {
        return type + " inode " + ino.number();
    }

    /**
     * Inline data: the 60 bytes of i_block, continued by the value of system.data, cut to
     * i_size. A larger i_size reads as zeros past the stored bytes.
     */
    private byte[] inlineData(Ext4Inode ino) throws IOException {
        byte[] more = systemData(ino);
        int size = (int) Math.min(ino.size(), Ext4Inode.BLOCK_BYTES + (long) more.length);
        byte[] data = new byte[size];
        System.arraycopy(ino.block(), 0, data, 0, Math.min(size, Ext4Inode.BLOCK_BYTES));
        if (size > Ext4Inode.BLOCK_BYTES) System.arraycopy(more, 0, data, Ext4Inode.BLOCK_BYTES, size - Ext4Inode.BLOCK_BYTES);
        return data;
    }

    private byte[] systemData(Ext4Inode ino) throws IOException {
        for (Ext4Xattr x : xattrs(ino)) if (x.isSystemData()) return x.value();
        return new byte[0];
    }

    private byte[] symlinkTarget(Ext4Inode ino) throws IOException {
        long size = ino.size();
        if (size > sb.blockSize() || size > 65536) {
            throw new CorruptImageException(type, "symlink inode " + ino.number(), ino.offset() + 4, "target of " + size + " bytes");
        }
        if (ino.hasFlag(Ext4Inode.INLINE_DATA_FL)) {
            byte[] t = inlineData(ino);
            if (t.length != size) {
                throw new CorruptImageException(type, "symlink inode " + ino.number(), ino.offset() + 4,
                        "inline target of " + size + " bytes but " + t.length + " stored");
            }
            return t;
        }
        long eaBlocks = ino.fileAcl() != 0 ? sb.blockSize() / 512 : 0;
        if (!ino.hasFlag(Ext4Inode.EXTENTS_FL) && ino.blocks512(sb) - eaBlocks == 0) {
            // A fast symlink keeps its target in i_block.
            if (size >= Ext4Inode.BLOCK_BYTES) {
                throw new CorruptImageException(type, "symlink inode " + ino.number(), ino.offset() + 4,
                        "fast symlink of " + size + " bytes (at most 59 fit)");
            }
            return java.util.Arrays.copyOf(ino.block(), (int) size);
        }
        ExtFile data = mappedRuns(ino);
        ByteBuffer b = ByteBuffer.allocate((int) size);
        data.readFully(0, b);
        return b.array();
    }

    // ---- extended attributes ---------------------------------------------------------------

    private List<Ext4Xattr> xattrs(Ext4Inode ino) throws IOException {
        List<Ext4Xattr> out = new ArrayList<>(0);
        byte[] ibody = ino.ibody();
        if (ibody.length >= 4) {
            ByteBuffer b = ByteBuffer.wrap(ibody).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) == Ext4XattrHeader.MAGIC) {
                long areaOffset = ino.offset() + ino.ibodyOffset();
                String structure = "in-inode xattrs of inode " + ino.number();
                for (Ext4XattrEntry e : Ext4XattrEntry.parseAll(b, 4, ibody.length, areaOffset + 4, type, structure)) {
                    out.add(new Ext4Xattr(e.nameIndex(), e.name(), value(b, 4, e, structure)));
                }
            }
        }
        long block = ino.fileAcl();
        if (block != 0) {
            String structure = "xattr block of inode " + ino.number();
            if (block <= sb.firstDataBlock() || block >= sb.blocksCount()) {
                throw new CorruptImageException(type, structure, ino.offset() + 0x68, "block " + block + " outside the volume");
            }
            long offset = block * sb.blockSize();
            ByteBuffer b = meta.readBytes(offset, sb.blockSize());
            Ext4XattrHeader.parse(b, type, structure, offset);
            for (Ext4XattrEntry e : Ext4XattrEntry.parseAll(b, Ext4XattrHeader.SIZE, sb.blockSize(), offset + Ext4XattrHeader.SIZE, type, structure)) {
                out.add(new Ext4Xattr(e.nameIndex(), e.name(), value(b, 0, e, structure)));
            }
        }
        return out;
    }

    /** The value of {@code e}: in the same area at {@code base + e_value_offs}, or in an EA inode. */
    private byte[] value(ByteBuffer area, int base, Ext4XattrEntry e, String structure) throws IOException {
        if (e.valueSize() > MAX_XATTR_VALUE) {
            throw new CorruptImageException(type, structure, e.entryOffset() + 8, "value of " + e.valueSize() + " bytes");
        }
        int size = (int) e.valueSize();
        if (e.valueInum() != 0) {
            // ea_inode: the value is the content of another inode.
            Ext4Inode v = inode(e.valueInum());
            // Never inline: reading it must not come back here through system.data.
            if (!v.hasFlag(Ext4Inode.EA_INODE_FL) || v.hasFlag(Ext4Inode.INLINE_DATA_FL) || entryType(v) != EntryType.FILE || v.size() < size) {
                throw new CorruptImageException(type, structure, e.entryOffset() + 4, "value inode " + e.valueInum()
                        + " is not an xattr inode of at least " + size + " bytes");
            }
            ByteBuffer b = ByteBuffer.allocate(size);
            fileData(v).readFully(0, b);
            return b.array();
        }
        long start = (long) base + e.valueOffs();
        if (start + size > area.limit()) {
            throw new CorruptImageException(type, structure, e.entryOffset() + 2, "value [" + e.valueOffs() + ", +" + size + ") outside the area");
        }
        byte[] v = new byte[size];
        area.get((int) start, v);
        return v;
    }
}
