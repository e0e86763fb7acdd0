package io.vdetach.guestfs.ext.codec;

/**
 * ext4_dir_entry_2 ("Linear (Classic) Directories"): {@code inode} (0: unused), rec_len, name_len,
 * file_type, name. Without the filetype feature name_len is 16 bits and there is no file_type
 * (ext4_dir_entry). An unused entry's name is not kept.
 */
public record Ext4DirEntry(long inode, int recLen, int fileType, byte[] name) {
    public static final int HEADER = 8;
    /** file_type values. */
    public static final int FT_UNKNOWN = 0, FT_REG = 1, FT_DIR = 2, FT_CHR = 3, FT_BLK = 4, FT_FIFO = 5, FT_SOCK = 6,
            FT_SYMLINK = 7;

    /** Bytes an entry with a name of {@code nameLen} bytes needs: 8 + name, rounded up to 4. */
    public static int need(int nameLen) { return (HEADER + nameLen + 3) & ~3; }

    /** The bytes this entry needs (its header alone when unused). */
    public int need() { return inode == 0 ? 0 : need(name.length); }

    public Ext4DirEntry withRecLen(int n) { return new Ext4DirEntry(inode, n, fileType, name); }

    public boolean isDot(int dots) {
        if (name.length != dots) return false;
        for (byte c : name) if (c != '.') return false;
        return true;
    }

    /** The file_type for an inode's i_mode. */
    public static int fileType(int mode) {
        return switch (mode & Ext4Inode.S_IFMT) {
            case Ext4Inode.S_IFREG -> FT_REG;
            case Ext4Inode.S_IFDIR -> FT_DIR;
            case Ext4Inode.S_IFCHR -> FT_CHR;
            case Ext4Inode.S_IFBLK -> FT_BLK;
            case Ext4Inode.S_IFIFO -> FT_FIFO;
            case Ext4Inode.S_IFSOCK -> FT_SOCK;
            case Ext4Inode.S_IFLNK -> FT_SYMLINK;
            default -> FT_UNKNOWN;
        };
    }
}
