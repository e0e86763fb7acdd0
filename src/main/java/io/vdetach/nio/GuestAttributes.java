package io.vdetach.nio;

import io.vdetach.api.Entry;
import io.vdetach.api.EntryType;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * An entry's basic and POSIX attributes. The image's root (the directory of volumes) is a
 * directory owned by 0:0, mode 0555, with its times at the epoch.
 */
final class GuestAttributes implements PosixFileAttributes {
    private static final FileTime EPOCH = FileTime.from(Instant.EPOCH);
    private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private final GuestFileSystem fs;
    /** Null for the image's root. */
    private final Entry e;

    GuestAttributes(GuestFileSystem fs, Entry e) {
        this.fs = fs;
        this.e = e;
    }

    @Override
    public FileTime lastModifiedTime() { return e == null ? EPOCH : FileTime.from(e.mtime()); }

    @Override
    public FileTime lastAccessTime() { return e == null ? EPOCH : FileTime.from(e.atime()); }

    /** The creation time where the filesystem keeps one, else the modification time. */
    @Override
    public FileTime creationTime() { return e == null ? EPOCH : FileTime.from(e.crtime().orElse(e.mtime())); }

    @Override
    public boolean isRegularFile() { return e != null && e.type() == EntryType.FILE; }

    @Override
    public boolean isDirectory() { return e == null || e.type() == EntryType.DIRECTORY; }

    @Override
    public boolean isSymbolicLink() { return e != null && e.type() == EntryType.SYMLINK; }

    @Override
    public boolean isOther() { return !isRegularFile() && !isDirectory() && !isSymbolicLink(); }

    /** Bytes of content; a symlink's is its target's length; a directory's what its filesystem says. */
    @Override
    public long size() { return e == null ? 0 : e.size(); }

    @Override
    public Object fileKey() {
        return e == null ? new FileKey(fs, "", -1, null) : new FileKey(fs, e.volume().name(), e.id(), e.streamName());
    }

    @Override
    public UserPrincipal owner() { return new NumericPrincipal(e == null ? 0 : e.uid(), false); }

    @Override
    public GroupPrincipal group() { return new NumericPrincipal(e == null ? 0 : e.gid(), true); }

    @Override
    public Set<PosixFilePermission> permissions() {
        int mode = e == null ? 0555 : e.mode();
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) if ((mode & (1 << i)) != 0) out.add(BITS[i]);
        return out;
    }
}
