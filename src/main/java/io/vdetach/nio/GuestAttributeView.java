package io.vdetach.nio;

import java.io.IOException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * The basic, owner and POSIX views of a path: read when asked (the path is resolved then); every
 * change throws {@link ReadOnlyFileSystemException}.
 */
final class GuestAttributeView implements PosixFileAttributeView {
    private final String name;
    private final GuestPath path;
    private final boolean follow;

    GuestAttributeView(String name, GuestPath path, boolean follow) {
        this.name = name;
        this.path = path;
        this.follow = follow;
    }

    @Override
    public String name() { return name; }

    @Override
    public PosixFileAttributes readAttributes() throws IOException {
        return new GuestAttributes(path.getFileSystem(), path.getFileSystem().resolve(path, follow));
    }

    @Override
    public UserPrincipal getOwner() throws IOException { return readAttributes().owner(); }

    @Override
    public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime) {
        throw new ReadOnlyFileSystemException();
    }

    @Override
    public void setPermissions(Set<PosixFilePermission> perms) { throw new ReadOnlyFileSystemException(); }

    @Override
    public void setGroup(GroupPrincipal group) { throw new ReadOnlyFileSystemException(); }

    @Override
    public void setOwner(UserPrincipal owner) { throw new ReadOnlyFileSystemException(); }
}
