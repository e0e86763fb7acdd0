package io.vdetach.host;

import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.StatFs;
import java.nio.file.Path;

/**
 * Facts about the host filesystem of a path: type, block size, device, free space, and
 * whether it can share extents between files (FICLONERANGE).
 */
public record HostFilesystem(Path path, StatFs statfs, long device) {

    public static HostFilesystem of(Path path) {
        try (Fd fd = Linux.open(path.toString(), Linux.O_RDONLY, 0)) {
            return of(path, fd);
        }
    }

    /** Facts of the filesystem holding {@code fd} (opened O_RDONLY, file or directory). */
    public static HostFilesystem of(Path path, Fd fd) {
        return new HostFilesystem(path, Linux.fstatfs(fd), Linux.fstat(fd).dev());
    }

    public String type() { return statfs.typeName(); }

    public int blockSize() { return (int) statfs.blockSize(); }

    /** Filesystems whose kernel driver implements remap_file_range for FICLONERANGE. */
    public boolean canShareExtents() {
        long t = statfs.type();
        return t == StatFs.XFS_MAGIC || t == StatFs.BTRFS_MAGIC || t == StatFs.BCACHEFS_MAGIC
                || t == StatFs.ZFS_MAGIC || t == StatFs.OCFS2_MAGIC || t == StatFs.NFS_MAGIC;
    }

    /**
     * Same filesystem: same st_dev, or the same fsid (Btrfs subvolumes have their own st_dev
     * but clone across them works).
     */
    public boolean sameFilesystemAs(HostFilesystem other) {
        return device == other.device || (statfs.type() == other.statfs.type() && statfs.fsid() == other.statfs.fsid()
                && statfs.fsid() != 0);
    }

    /**
     * How a file's last partial block is best written here: measured (FIELD-NOTES) — on XFS
     * truncating a cloned block unshares it synchronously (189 µs vs 70 µs per file), on Btrfs
     * clone-then-truncate keeps the block shared and costs least.
     */
    public TailPolicy tailPolicy() {
        return statfs.type() == StatFs.BTRFS_MAGIC ? TailPolicy.CLONE_AND_TRUNCATE : TailPolicy.WRITE;
    }

    /**
     * Whether a writer should allocate (fallocate) each range before writing it here. XFS: yes —
     * a buffered write into a hole reserves the data blocks plus a worst case of bmap btree
     * blocks (20 KiB for a one-block tail) until writeback, and a write at EOF of a large file
     * reserves speculative preallocation until close; an allocated range reserves neither
     * (docs/benchmarks.md, "Transient space (issue 19)"). Btrfs: no — a preallocated extent
     * keeps a small file from being stored inline in metadata. Others: not measured, left as they were.
     */
    public boolean allocateBeforeWriting() {
        return statfs.type() == StatFs.XFS_MAGIC;
    }

    /**
     * What making {@code entries} names ({@code directories} of them directories) costs this
     * filesystem beyond the files' data blocks, for plan's peak. XFS: an inode each (512 bytes,
     * mkfs.xfs's default for v5) and its share of inode chunks, inode btrees and directory blocks
     * (small directories live in their inode), measured at 560 bytes a name over 50,000 names,
     * plus what any run's first allocations take (an inode chunk of 64 inodes, a directory block,
     * free-space and refcount btree blocks: 80-110 KB measured beyond the per-name figure for 41
     * names), {@code RUN_METADATA_BYTES} (docs/benchmarks.md, "Transient space (issue 19)").
     * ext2/3/4: inodes sit in tables made by mkfs, so a directory's first block and ~32 bytes of
     * directory entry a name. Other filesystems are not measured: XFS's figures stand in.
     */
    public long metadataBytes(long entries, long directories) {
        if (statfs.type() == StatFs.EXT4_MAGIC) {
            return Math.addExact(Math.multiplyExact(directories, statfs.blockSize()), Math.multiplyExact(entries, 32L));
        }
        return Math.addExact(RUN_METADATA_BYTES, Math.multiplyExact(entries, XFS_BYTES_PER_NAME));
    }

    private static final long XFS_BYTES_PER_NAME = 560;
    private static final long RUN_METADATA_BYTES = 128 << 10;

    public enum TailPolicy { WRITE, CLONE_AND_TRUNCATE }
}
