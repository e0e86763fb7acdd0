package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.extent.RunTable;
import io.vdetach.extent.RunTableLayer;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TimePrecision;
import io.vdetach.guestfs.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * XFS v4 and v5 (CRC), read-only. Spec: the kernel's "XFS Algorithms &amp; Data Structures"
 * (xfs-documentation, design/XFS_Filesystem_Structure). All on-disk fields are big-endian.
 * Node ids are inode numbers. Checksums are not verified: a damaged structure is caught by
 * its magic, owner and bounds checks instead.
 */
public final class XfsFilesystem implements GuestFilesystem {
    /** XFS_SYMLINK_MAXLEN. */
    private static final int MAX_SYMLINK = 1024;
    private static final int SYMLINK_MAGIC = 0x58534c4d; // "XSLM"

    private final XfsBlockReader r;

    private final XfsLog.State logState;

    private XfsFilesystem(XfsBlockReader r) throws IOException {
        this.r = r;
        this.logState = XfsLog.state(r);
    }

    /** Opens the filesystem on {@code volume}, keeping metadata blocks in {@code cache}; the probe has seen its magic. */
    public static XfsFilesystem open(Layer volume, BlockCache cache) throws IOException {
        XfsSuperblock sb = XfsSuperblock.parse(volume.readBytes(0, (int) Math.min(512, volume.size())), 0); // the first sector
        if (sb.dataBlocks() > volume.size() / sb.blockSize()) {
            throw new CorruptImageException("xfs", "superblock", 8, sb.dataBlocks() + " blocks of " + sb.blockSize()
                    + " bytes do not fit in a volume of " + volume.size() + " bytes");
        }
        XfsFilesystem fs = new XfsFilesystem(new XfsBlockReader(volume, sb, cache));
        fs.r.inodeByte(sb.rootIno(), 56); // sb_rootino, checked here to blame that field
        XfsDinode root = fs.dinode(sb.rootIno());
        if (root.fileType() != 0040000) throw new CorruptImageException("xfs", "root inode " + sb.rootIno(), root.at(), "not a directory");
        return fs;
    }

    XfsSuperblock superblock() { return r.sb; }

    @Override public String type() { return "xfs"; }
    @Override public String label() { return r.sb.label(); }
    @Override public int blockSize() { return r.sb.blockSize(); }

    /** Every xfs_timestamp keeps nanoseconds (bigtime too); v4 inodes have no creation time. */
    @Override public TimePrecision timePrecision() { return TimePrecision.NANOSECONDS; }

    @Override public String inodeLabel(Node node) { return Long.toString(node.id()); }

    @Override public long usedBytes() { return (r.sb.dataBlocks() - r.sb.freeDataBlocks()) * r.sb.blockSize(); }

    @Override public long usedEntries() { return r.sb.inodesInUse(); }
    @Override
    public List<String> warnings() {
        List<String> w = new java.util.ArrayList<>();
        if (r.sb.needsRepair()) w.add("xfs: the superblock says the filesystem needs xfs_repair; files may be inconsistent");
        if (r.sb.inProgress()) w.add("xfs: mkfs did not finish on this filesystem (sb_inprogress is set)");
        if (logState == XfsLog.State.DIRTY) {
            w.add("xfs: the log was not cleanly unmounted (image of a running or crashed guest): changes still in "
                    + "the log are not seen; mount the filesystem once to replay it for an exact copy");
        }
        return w;
    }
    @Override public long rootId() { return r.sb.rootIno(); }

    XfsDinode dinode(long ino) throws IOException {
        long at = r.inodeByte(ino, -1); // the directory entry that named it is not known here
        return XfsDinode.parse(r.bytesInBlock(at, r.sb.inodeSize()), ino, at, r.sb);
    }

    @Override
    public Node node(long id) throws IOException {
        XfsDinode d = dinode(id);
        EntryType type = switch (d.fileType()) {
            case 0100000 -> EntryType.FILE;
            case 0040000 -> EntryType.DIRECTORY;
            case 0120000 -> EntryType.SYMLINK;
            case 0020000 -> EntryType.CHAR_DEVICE;
            case 0060000 -> EntryType.BLOCK_DEVICE;
            case 0010000 -> EntryType.FIFO;
            case 0140000 -> EntryType.SOCKET;
            default -> throw XfsDinode.bad(id, d.at(), "file type 0" + Integer.toOctalString(d.fileType()));
        };
        if (d.nlink() == 0) throw XfsDinode.bad(id, d.at(), "inode is free (link count 0) but named in a directory");
        byte[] target = type == EntryType.SYMLINK ? symlink(d) : null;
        long major = 0, minor = 0;
        if (type == EntryType.CHAR_DEVICE || type == EntryType.BLOCK_DEVICE) {
            if (d.format() != XfsDinode.FMT_DEV) throw XfsDinode.bad(id, d.at(), "device node with fork format " + d.format());
            long dev = d.dataFork().getInt(0) & 0xffffffffL; // xfs_dev_t: major in the top 14 bits, minor in the low 18
            major = dev >>> 18;
            minor = dev & 0x3ffff;
        }
        List<Xattr> xattrs = XfsAttributes.read(r, d);
        long size = type == EntryType.SYMLINK ? target.length : d.size();
        return new Node(id, type, d.mode() & 07777, d.uid(), d.gid(), size, (int) Math.min(d.nlink(), Integer.MAX_VALUE),
                d.mtime(), d.atime(), d.ctime(), d.crtime(), target, major, minor, xattrs, List.of(), -1);
    }

    private byte[] symlink(XfsDinode d) throws IOException {
        if (d.size() == 0 || d.size() > MAX_SYMLINK) throw XfsDinode.bad(d.ino(), d.at(), "symlink length " + d.size());
        int len = (int) d.size();
        byte[] out = new byte[len];
        if (d.format() == XfsDinode.FMT_LOCAL) {
            if (len > d.dataForkSize()) throw XfsDinode.bad(d.ino(), d.at(), "local symlink longer than its fork");
            d.dataFork().get(0, out);
            return out;
        }
        // each extent of a remote symlink is one buffer; on v5 it starts with one xfs_dsymlink_hdr
        // (magic, offset, bytes, crc, uuid, owner, blkno, lsn), then that many bytes of the target
        boolean v5 = r.sb.isV5();
        int bs = r.sb.blockSize();
        int done = 0;
        for (XfsBmbtRec e : dataExtents(d)) {
            if (done >= len) break;
            if (e.blockCount() > 4 || e.unwritten()) throw XfsDinode.bad(d.ino(), d.at(), "remote symlink extent of " + e.blockCount() + " blocks");
            long at = r.extentToByte(e.startBlock(), e.blockCount(), "symlink of inode " + d.ino(), d.at());
            byte[] buf = new byte[(int) e.blockCount() * bs];
            for (int i = 0; i < e.blockCount(); i++) r.block(at + (long) i * bs).get(0, buf, i * bs, bs);
            ByteBuffer b = ByteBuffer.wrap(buf);
            int hdr = 0;
            int n = Math.min(buf.length, len - done);
            if (v5) {
                hdr = 56;
                n = b.getInt(8);
                if (b.getInt(0) != SYMLINK_MAGIC || b.getLong(32) != d.ino() || b.getInt(4) != done
                        || n <= 0 || n > Math.min(buf.length - hdr, len - done)) {
                    throw XfsDinode.bad(d.ino(), at, "remote symlink block header");
                }
            }
            b.get(hdr, out, done, n);
            done += n;
        }
        if (done != len) throw XfsDinode.bad(d.ino(), d.at(), "remote symlink holds " + done + " of " + len + " bytes");
        return out;
    }

    private List<XfsBmbtRec> dataExtents(XfsDinode d) throws IOException {
        return XfsBmap.extents(r, d, d.format(), d.dataFork(), d.nextents(), d.dataForkOffset(), "data fork");
    }

    @Override
    public List<DirEntry> list(Node directory) throws IOException {
        XfsDinode d = dinode(directory.id());
        if (d.fileType() != 0040000) throw XfsDinode.bad(d.ino(), d.at(), "listed but not a directory");
        XfsForkReader fork = d.format() == XfsDinode.FMT_LOCAL ? null
                : new XfsForkReader(r, dataExtents(d), "directory block of inode " + d.ino(), d.at());
        return XfsDirectory.list(r, d, fork);
    }

    @Override
    public Layer content(Node file) throws IOException {
        XfsDinode d = dinode(file.id());
        if (d.fileType() != 0100000) throw XfsDinode.bad(d.ino(), d.at(), "content of a non-regular file");
        if ((d.flags() & XfsDinode.DIFLAG_REALTIME) != 0) {
            throw UnsupportedImageException.because("xfs", "inode " + d.ino() + " lives on the realtime device, which is not supported");
        }
        boolean empty = d.size() == 0 && d.nextents() == 0;
        if (!empty && d.format() != XfsDinode.FMT_EXTENTS && d.format() != XfsDinode.FMT_BTREE) {
            throw XfsDinode.bad(d.ino(), d.at(), "regular file with fork format " + d.format());
        }
        // each written extent maps onto the volume; unwritten (preallocated) extents and gaps are holes
        long size = d.size();
        long bs = r.sb.blockSize();
        RunTable.Builder t = RunTable.builder(size);
        for (XfsBmbtRec e : empty ? List.<XfsBmbtRec>of() : dataExtents(d)) {
            if (e.unwritten() || e.startOff() >= (size + bs - 1) / bs) continue;
            long start = e.startOff() * bs;
            long at = r.extentToByte(e.startBlock(), e.blockCount(), "data extent of inode " + d.ino(), d.at());
            t.add(new Run.Mapped(start, Math.min(e.blockCount() * bs, size - start), r.volume, at));
        }
        return new RunTableLayer(t.build(), "xfs inode " + d.ino());
    }
}
