package io.vdetach.sys;

/** What fstatfs(2) says of a host filesystem. */
public record StatFs(long type, long blockSize, long blocks, long blocksFree, long blocksAvailable, long fsid) {

    public static final long XFS_MAGIC = 0x58465342L;
    public static final long BTRFS_MAGIC = 0x9123683EL;
    public static final long EXT4_MAGIC = 0xEF53L;
    public static final long TMPFS_MAGIC = 0x01021994L;
    public static final long BCACHEFS_MAGIC = 0xca451a4eL;
    public static final long ZFS_MAGIC = 0x2fc12fc1L;
    public static final long NFS_MAGIC = 0x6969L;
    public static final long OCFS2_MAGIC = 0x7461636fL;

    /** Bytes free to an unprivileged writer. */
    public long bytesAvailable() { return blocksAvailable * blockSize; }

    /** Bytes free in all. */
    public long bytesFree() { return blocksFree * blockSize; }

    public String typeName() {
        if (type == XFS_MAGIC) return "xfs";
        if (type == BTRFS_MAGIC) return "btrfs";
        if (type == EXT4_MAGIC) return "ext4";
        if (type == TMPFS_MAGIC) return "tmpfs";
        if (type == BCACHEFS_MAGIC) return "bcachefs";
        if (type == ZFS_MAGIC) return "zfs";
        if (type == NFS_MAGIC) return "nfs";
        if (type == OCFS2_MAGIC) return "ocfs2";
        return String.format("0x%x", type);
    }
}
