package io.vdetach.sys;

/** The fields of struct stat that vdetach uses. */
public record Stat(long dev, long ino, long nlink, int mode, int uid, int gid, long rdev, long size, long blocks,
                   long mtimeSeconds, long mtimeNanos) {
    public boolean isDirectory() { return (mode & 0170000) == 0040000; }
    public boolean isRegular() { return (mode & 0170000) == 0100000; }
    public boolean isSymlink() { return (mode & 0170000) == 0120000; }
}
