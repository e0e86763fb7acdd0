package io.vdetach.guestfs;

import java.time.Instant;
import java.util.List;

/**
 * A guest inode (or MFT record, or directory entry set): everything needed to recreate it.
 * Nodes with the same {@code id} reached under several names are hard links.
 *
 * @param mode permission bits including setuid/setgid/sticky (07777), without the type
 * @param btime creation time, or null when the filesystem has none
 * @param symlinkTarget raw target bytes of a symlink, else null
 * @param rdevMajor device number of a device node, else 0
 * @param xattrs extended attributes, full Linux names
 * @param notes facts a user should see about this entry (encrypted, journal-only, …)
 * @param fileAttributes the FILE_ATTRIBUTE_* bits Windows would show for it (NTFS, FAT, exFAT:
 *     {@link FileAttributes}); -1 where the filesystem has none or the entry stores none
 */
public record Node(long id, EntryType type, int mode, long uid, long gid, long size, int nlink,
                   Instant mtime, Instant atime, Instant ctime, Instant btime,
                   byte[] symlinkTarget, long rdevMajor, long rdevMinor,
                   List<Xattr> xattrs, List<String> notes, int fileAttributes) {

    /** A node of a filesystem without Windows attributes ({@code fileAttributes} -1). */
    public Node(long id, EntryType type, int mode, long uid, long gid, long size, int nlink, Instant mtime, Instant atime,
                Instant ctime, Instant btime, byte[] symlinkTarget, long rdevMajor, long rdevMinor, List<Xattr> xattrs,
                List<String> notes) {
        this(id, type, mode, uid, gid, size, nlink, mtime, atime, ctime, btime, symlinkTarget, rdevMajor, rdevMinor, xattrs,
                notes, -1);
    }

    public boolean isDirectory() { return type == EntryType.DIRECTORY; }

    /** The same node with one more note for the user (what could not be recovered, and why). */
    public Node withNote(String note) {
        List<String> more = new java.util.ArrayList<>(notes);
        more.add(note);
        return new Node(id, type, mode, uid, gid, size, nlink, mtime, atime, ctime, btime, symlinkTarget, rdevMajor, rdevMinor,
                xattrs, more, fileAttributes);
    }
}
