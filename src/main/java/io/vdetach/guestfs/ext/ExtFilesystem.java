package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    /** Bytes of inode table read and cached at once: 256 inodes of 256 bytes. */
    private static final int CHUNK = 64 * 1024;
    /** Inode-table chunks kept (16 MiB): enough for sequential walks of huge trees. */
    private static final int CACHED_CHUNKS = 256;
    private static final int CACHED_DESCRIPTORS = 4096;
    private static final int CACHED_XATTR_BLOCKS = 64;
    /** Linux's XATTR_SIZE_MAX: no attribute value can be larger. */
    private static final int MAX_XATTR_VALUE = 65536;
    /** Bytes read from a directory per volume read. */
    private static final int DIR_READ = 1 << 20;

    private final Layer volume;
    private final Superblock sb;
    private final String type;
    private final List<String> warnings;
    private final Map<Long, ByteBuffer> chunks = lru(CACHED_CHUNKS);
    private final Map<Long, GroupDescriptor> descriptors = lru(CACHED_DESCRIPTORS);
    private final Map<Long, ByteBuffer> xattrBlocks = lru(CACHED_XATTR_BLOCKS);

    private ExtFilesystem(Layer volume, Superblock sb, List<String> warnings) {
        this.volume = volume;
        this.sb = sb;
        this.type = sb.typeName();
        this.warnings = warnings;
    }

    /** Opens the filesystem on {@code volume}; the probe has already seen its magic. */
    public static ExtFilesystem open(Layer volume) throws IOException {
        if (volume.size() < Superblock.OFFSET + Superblock.SIZE) {
            throw new CorruptImageException("ext", "superblock", Superblock.OFFSET, "volume of " + volume.size() + " bytes is too small");
        }
        Superblock sb = Superblock.parse(volume.readBytes(Superblock.OFFSET, Superblock.SIZE), Superblock.OFFSET, volume.size());
        List<String> warnings = new ArrayList<>();
        if (sb.hasIncompat(Features.INCOMPAT_RECOVER)) warnings.add("journal needs recovery (not replayed); reading as is");
        if ((sb.state() & 2) != 0) warnings.add("filesystem is marked as having errors (s_state); run e2fsck on a copy");
        if (sb.hasIncompat(Features.INCOMPAT_ENCRYPT)) warnings.add("filesystem uses fscrypt: encrypted files and directories cannot be read");
        ExtFilesystem fs = new ExtFilesystem(volume, sb, List.copyOf(warnings));
        fs.descriptor(0); // The first group must be sound for anything to be readable.
        return fs;
    }

    @Override public String type() { return type; }

    @Override public String label() { return sb.label(); }

    @Override public int blockSize() { return sb.blockSize(); }

    @Override public long usedBytes() { return (sb.blocksCount() - sb.freeBlocks()) * sb.blockSize(); }

    @Override public long usedEntries() { return sb.inodesCount() - sb.freeInodes(); }

    @Override public List<String> warnings() { return warnings; }

    @Override public long rootId() { return ROOT_INODE; }

    @Override
    public Node node(long id) throws IOException {
        Inode ino = inode(id);
        EntryType t = ino.type();
        byte[] target = null;
        long major = 0;
        long minor = 0;
        List<String> notes = new ArrayList<>(0);
        switch (t) {
            case SYMLINK -> target = symlinkTarget(ino);
            case CHAR_DEVICE, BLOCK_DEVICE -> {
                long old = ino.blockWord(0);
                if (old != 0) {
                    major = (old >> 8) & 0xff;
                    minor = old & 0xff;
                } else {
                    long dev = ino.blockWord(1);
                    major = (dev & 0xfff00) >> 8;
                    minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
                }
            }
            default -> { }
        }
        if (ino.hasFlag(Inode.ENCRYPT_FL)) notes.add("encrypted (fscrypt): names and content cannot be read without the key");
        if (ino.hasFlag(Inode.VERITY_FL)) notes.add("fs-verity protected (the Merkle tree is not extracted)");
        List<Xattr> xattrs = new ArrayList<>(0);
        for (RawXattr x : xattrs(ino)) {
            String name = XattrNames.fullName(x.index(), x.name());
            if (name == null) continue;
            byte[] value = x.value();
            if (x.index() == XattrNames.POSIX_ACL_ACCESS || x.index() == XattrNames.POSIX_ACL_DEFAULT) {
                value = PosixAcl.toXattr(value, type, "POSIX ACL of inode " + id, ino.offset());
            }
            xattrs.add(new Xattr(name, value));
        }
        return new Node(id, t, ino.rawMode() & 07777, ino.uid(), ino.gid(), ino.size(), ino.links(),
                ino.mtime(), ino.atime(), ino.ctime(), ino.btime(), target, major, minor, List.copyOf(xattrs), List.copyOf(notes));
    }

    @Override
    public List<DirEntry> list(Node directory) throws IOException {
        Inode ino = inode(directory.id());
        if (ino.type() != EntryType.DIRECTORY) throw new IllegalArgumentException("inode " + ino.number() + " is not a directory");
        if (ino.hasFlag(Inode.ENCRYPT_FL)) {
            throw new UnsupportedImageException(type, "listing the encrypted (fscrypt) directory inode " + ino.number());
        }
        List<DirEntry> out = new ArrayList<>();
        if (ino.hasFlag(Inode.INLINE_DATA_FL)) {
            // i_block: the parent's inode number, then entries; more entries in system.data.
            ByteBuffer b = ByteBuffer.wrap(ino.block()).order(ByteOrder.LITTLE_ENDIAN);
            DirectoryBlock.parse(b, 4, Inode.BLOCK_BYTES - 4, ino.offset() + 0x28 + 4, sb, ino.number(), false, out);
            byte[] more = systemData(ino);
            if (more.length > 0) {
                DirectoryBlock.parse(ByteBuffer.wrap(more).order(ByteOrder.LITTLE_ENDIAN), 0, more.length, ino.offset(), sb, ino.number(), false, out);
            }
        } else {
            int bs = sb.blockSize();
            if (ino.size() % bs != 0) {
                throw new CorruptImageException(type, "inode " + ino.number(), ino.offset() + 4,
                        "directory size " + ino.size() + " is not a multiple of the block size");
            }
            for (Run r : mappedRuns(ino).table().runs()) {
                if (!(r instanceof Run.Mapped m)) continue; // Holes in a directory hold no entries.
                for (long done = 0; done < m.length(); ) {
                    int n = (int) Math.min(DIR_READ, m.length() - done);
                    long at = m.offset() + done;
                    ByteBuffer b = volume.readBytes(at, n);
                    for (int off = 0; off < n; off += bs) {
                        boolean firstBlock = r.start() + done + off == 0;
                        DirectoryBlock.parse(b, off, bs, at + off, sb, ino.number(), firstBlock, out);
                    }
                    done += n;
                }
            }
        }
        for (DirEntry e : out) {
            if (e.id() == ino.number() || e.id() == ROOT_INODE) {
                throw new CorruptImageException(type, "directory inode " + ino.number(), ino.offset(),
                        "entry '" + new String(e.name(), StandardCharsets.UTF_8) + "' links back to inode " + e.id() + " (cycle)");
            }
        }
        return out;
    }

    @Override
    public Layer content(Node file) throws IOException {
        Inode ino = inode(file.id());
        if (ino.type() != EntryType.FILE) throw new IllegalArgumentException("inode " + ino.number() + " is not a regular file");
        if (ino.hasFlag(Inode.ENCRYPT_FL)) {
            throw new UnsupportedImageException(type, "reading the encrypted (fscrypt) file inode " + ino.number());
        }
        return fileData(ino);
    }

    // ---- inodes ----------------------------------------------------------------------------

    /** The inode, checked to be in use and of a known type. */
    Inode inode(long n) throws IOException {
        if (n < 1 || n > sb.inodesCount()) {
            throw new CorruptImageException(type, "inode number", 0, "inode " + n + " outside 1.." + sb.inodesCount());
        }
        long group = (n - 1) / sb.inodesPerGroup();
        long index = (n - 1) % sb.inodesPerGroup();
        GroupDescriptor gd = descriptor(group);
        if ((gd.flags() & GroupDescriptor.INODE_UNINIT) != 0
                && (sb.hasRoCompat(Features.RO_COMPAT_GDT_CSUM) || sb.hasRoCompat(Features.RO_COMPAT_METADATA_CSUM))) {
            // The group's inode table was never initialised: none of its inodes is in use.
            throw new CorruptImageException(type, "inode " + n, gd.offset() + 0x12, "its group " + group + " has no initialised inodes (INODE_UNINIT)");
        }
        long tableBytes = sb.inodesPerGroup() * sb.inodeSize();
        long byteInTable = index * sb.inodeSize();
        long chunk = byteInTable / CHUNK;
        long chunkStart = chunk * CHUNK;
        long volumeOffset = gd.inodeTable() * sb.blockSize() + chunkStart;
        ByteBuffer b;
        long key = group * ((tableBytes + CHUNK - 1) / CHUNK) + chunk;
        synchronized (chunks) {
            b = chunks.get(key);
        }
        if (b == null) {
            b = volume.readBytes(volumeOffset, (int) Math.min(CHUNK, tableBytes - chunkStart));
            synchronized (chunks) {
                chunks.put(key, b);
            }
        }
        int at = (int) (byteInTable - chunkStart);
        long offset = volumeOffset + at;
        Inode ino = Inode.parse(b, at, n, offset, sb);
        if (ino.rawMode() == 0 || ino.links() == 0) {
            throw new CorruptImageException(type, "inode " + n, offset, "not in use (mode 0" + Integer.toOctalString(ino.rawMode())
                    + ", " + ino.links() + " links) but named by a directory");
        }
        if (ino.type() == null) {
            throw new CorruptImageException(type, "inode " + n, offset, "unknown file type in mode 0" + Integer.toOctalString(ino.rawMode()));
        }
        return ino;
    }

    private GroupDescriptor descriptor(long group) throws IOException {
        if (group >= sb.groupCount()) throw new CorruptImageException(type, "group descriptor", 0, "group " + group + " does not exist");
        synchronized (descriptors) {
            GroupDescriptor gd = descriptors.get(group);
            if (gd != null) return gd;
        }
        int perBlock = sb.blockSize() / sb.descSize();
        long descBlock = group / perBlock;
        long block;
        if (sb.hasIncompat(Features.INCOMPAT_META_BG) && descBlock >= sb.firstMetaBg()) {
            // meta_bg: each run of perBlock groups keeps its one descriptor block in its first group.
            long first = descBlock * perBlock;
            block = sb.firstDataBlock() + first * sb.blocksPerGroup() + (sb.groupHasSuper(first) ? 1 : 0);
        } else {
            block = sb.firstDataBlock() + 1 + descBlock;
        }
        if (block >= sb.blocksCount()) {
            throw new CorruptImageException(type, "group descriptor " + group, block * sb.blockSize(), "descriptor block past the volume");
        }
        int within = (int) (group % perBlock) * sb.descSize();
        long offset = block * sb.blockSize() + within;
        ByteBuffer b = volume.readBytes(offset, sb.descSize());
        GroupDescriptor gd = GroupDescriptor.parse(b, 0, group, sb, offset);
        synchronized (descriptors) {
            descriptors.put(group, gd);
        }
        return gd;
    }

    // ---- file data -------------------------------------------------------------------------

    private ExtFile fileData(Inode ino) throws IOException {
        if (ino.hasFlag(Inode.INLINE_DATA_FL)) return ExtFile.inline(inlineData(ino), ino.size(), describe(ino));
        return mappedRuns(ino);
    }

    private ExtFile mappedRuns(Inode ino) throws IOException {
        BlockRuns runs = new BlockRuns(sb, volume, ino.number(), ino.size());
        if (ino.hasFlag(Inode.EXTENTS_FL)) ExtentTree.collect(volume, sb, ino, runs);
        else BlockMap.collect(volume, sb, ino, runs);
        return ExtFile.mapped(runs.build(), describe(ino));
    }

    private String describe(Inode ino) {
        return type + " inode " + ino.number();
    }

    /**
     * Inline data: the 60 bytes of i_block, continued by the value of system.data, cut to
     * i_size. A larger i_size reads as zeros past the stored bytes.
     */
    private byte[] inlineData(Inode ino) throws IOException {
        byte[] more = systemData(ino);
        int size = (int) Math.min(ino.size(), Inode.BLOCK_BYTES + (long) more.length);
        byte[] data = new byte[size];
        System.arraycopy(ino.block(), 0, data, 0, Math.min(size, Inode.BLOCK_BYTES));
        if (size > Inode.BLOCK_BYTES) System.arraycopy(more, 0, data, Inode.BLOCK_BYTES, size - Inode.BLOCK_BYTES);
        return data;
    }

    private byte[] systemData(Inode ino) throws IOException {
        for (RawXattr x : xattrs(ino)) {
            if (x.index() == XattrNames.SYSTEM && x.name().length == 4 && new String(x.name(), StandardCharsets.US_ASCII).equals("data")) {
                return x.value();
            }
        }
        return new byte[0];
    }

    private byte[] symlinkTarget(Inode ino) throws IOException {
        long size = ino.size();
        if (size > sb.blockSize() || size > 65536) {
            throw new CorruptImageException(type, "symlink inode " + ino.number(), ino.offset() + 4, "target of " + size + " bytes");
        }
        if (ino.hasFlag(Inode.INLINE_DATA_FL)) {
            byte[] t = inlineData(ino);
            if (t.length != size) {
                throw new CorruptImageException(type, "symlink inode " + ino.number(), ino.offset() + 4,
                        "inline target of " + size + " bytes but " + t.length + " stored");
            }
            return t;
        }
        long eaBlocks = ino.fileAcl() != 0 ? sb.blockSize() / 512 : 0;
        if (!ino.hasFlag(Inode.EXTENTS_FL) && ino.blocks512() - eaBlocks == 0) {
            // A fast symlink keeps its target in i_block.
            if (size >= Inode.BLOCK_BYTES) {
                throw new CorruptImageException(type, "symlink inode " + ino.number(), ino.offset() + 4,
                        "fast symlink of " + size + " bytes (at most 59 fit)");
            }
            byte[] t = new byte[(int) size];
            System.arraycopy(ino.block(), 0, t, 0, (int) size);
            return t;
        }
        ExtFile data = mappedRuns(ino);
        ByteBuffer b = ByteBuffer.allocate((int) size);
        data.readFully(0, b);
        return b.array();
    }

    // ---- extended attributes ---------------------------------------------------------------

    /** One attribute as stored: name index, name suffix, raw value. */
    record RawXattr(int index, byte[] name, byte[] value) {}

    private List<RawXattr> xattrs(Inode ino) throws IOException {
        List<RawXattr> out = new ArrayList<>(0);
        byte[] extra = ino.extra();
        if (extra.length >= 4) {
            ByteBuffer b = ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) == XattrEntry.MAGIC) {
                long areaOffset = ino.offset() + ino.extraOffset();
                String structure = "in-inode xattrs of inode " + ino.number();
                for (XattrEntry e : XattrEntry.parseAll(b, 4, extra.length, areaOffset + 4, type, structure)) {
                    out.add(new RawXattr(e.nameIndex(), e.name(), value(b, 4, e, structure)));
                }
            }
        }
        long block = ino.fileAcl();
        if (block != 0) {
            String structure = "xattr block of inode " + ino.number();
            if (block < sb.firstDataBlock() || block >= sb.blocksCount()) {
                throw new CorruptImageException(type, structure, ino.offset() + 0x68, "block " + block + " outside the volume");
            }
            long offset = block * sb.blockSize();
            ByteBuffer b;
            synchronized (xattrBlocks) {
                b = xattrBlocks.get(block);
            }
            if (b == null) {
                b = volume.readBytes(offset, sb.blockSize());
                synchronized (xattrBlocks) {
                    xattrBlocks.put(block, b);
                }
            }
            if (b.getInt(0) != XattrEntry.MAGIC) throw new CorruptImageException(type, structure, offset, "bad magic");
            if (b.getInt(8) != 1) throw new CorruptImageException(type, structure, offset + 8, "h_blocks " + b.getInt(8) + " (must be 1)");
            for (XattrEntry e : XattrEntry.parseAll(b, 32, sb.blockSize(), offset + 32, type, structure)) {
                out.add(new RawXattr(e.nameIndex(), e.name(), value(b, 0, e, structure)));
            }
        }
        return out;
    }

    /** The value of {@code e}: in the same area at {@code base + e_value_offs}, or in an EA inode. */
    private byte[] value(ByteBuffer area, int base, XattrEntry e, String structure) throws IOException {
        if (e.valueSize() > MAX_XATTR_VALUE) {
            throw new CorruptImageException(type, structure, e.entryOffset() + 8, "value of " + e.valueSize() + " bytes");
        }
        int size = (int) e.valueSize();
        if (e.valueInode() != 0) {
            // ea_inode: the value is the content of another inode.
            Inode v = inode(e.valueInode());
            // Never inline: reading it must not come back here through system.data.
            if (!v.hasFlag(Inode.EA_INODE_FL) || v.hasFlag(Inode.INLINE_DATA_FL) || v.type() != EntryType.FILE || v.size() < size) {
                throw new CorruptImageException(type, structure, e.entryOffset() + 4, "value inode " + e.valueInode()
                        + " is not an xattr inode of at least " + size + " bytes");
            }
            ByteBuffer b = ByteBuffer.allocate(size);
            fileData(v).readFully(0, b);
            return b.array();
        }
        long start = (long) base + e.valueOffset();
        if (start + size > area.limit()) {
            throw new CorruptImageException(type, structure, e.entryOffset() + 2, "value [" + e.valueOffset() + ", +" + size + ") outside the area");
        }
        byte[] v = new byte[size];
        area.get((int) start, v);
        return v;
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }
}
