package io.vdetach.guestfs;

/**
 * How many decimal digits of a second a filesystem stores for each of its times: ext4 with large
 * inodes and XFS 9 (ns), NTFS 7 (100 ns), exFAT 2 (10 ms) but 0 for its access time, FAT 0 for
 * its modification time (2 s steps) and access time (a date), 2 for its creation time (10 ms).
 * Evidence outputs write each time with exactly these digits.
 *
 * @param ctime where the filesystem keeps no change time (FAT, exFAT) the node's ctime repeats its
 *     mtime, as Linux shows it, with the mtime's digits
 * @param crtime digits of the creation time (0 where there is none)
 */
public record TimePrecision(int mtime, int atime, int ctime, int crtime) {
    /** ext4 with large inodes, XFS. */
    public static final TimePrecision NANOSECONDS = new TimePrecision(9, 9, 9, 9);
    /** ext2/3/4 with 128-byte inodes: no extra time words. */
    public static final TimePrecision SECONDS = new TimePrecision(0, 0, 0, 0);

    public TimePrecision {
        for (int d : new int[] {mtime, atime, ctime, crtime}) {
            if (d < 0 || d > 9) throw new IllegalArgumentException("fraction digits " + d);
        }
    }
}
