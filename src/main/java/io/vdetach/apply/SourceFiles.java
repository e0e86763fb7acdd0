package io.vdetach.apply;

import io.vdetach.extent.HostFile;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Raw read-only descriptors of the host files runs point into (FileChannel hides its fd, and
 * FICLONERANGE and copy_file_range need one), shared by the writer threads. HostFile has
 * identity equality, so the maps are keyed by the object itself.
 */
final class SourceFiles implements AutoCloseable {
    private final Map<HostFile, Fd> fds = new ConcurrentHashMap<>();
    private final Map<HostFile, Boolean> nocow = new ConcurrentHashMap<>();
    /** Sources the host refused to clone from (auto mode): their runs are copied from then on. */
    final Set<HostFile> cloneRefused = ConcurrentHashMap.newKeySet();
    /** Set when copy_file_range was refused between the image and DEST: plain reads and writes from then on. */
    volatile boolean noCopyFileRange;

    Fd fd(HostFile f) {
        return fds.computeIfAbsent(f, k -> {
            Fd fd = Linux.open(k.path().toString(), Linux.O_RDONLY, 0);
            try {
                // Files are visited in allocation order, so the image is read mostly front to back:
                // a larger readahead window turns many small reads into few large ones.
                Linux.fadvise(fd, 0, 0, Linux.POSIX_FADV_SEQUENTIAL);
            } catch (RuntimeException e) {
                // advice only
            }
            return fd;
        });
    }

    /** Btrfs NOCOW images (chattr +C, set by libvirt and Proxmox) can only be cloned into NOCOW files. */
    boolean isNocow(HostFile f) {
        return nocow.computeIfAbsent(f, k -> {
            try {
                return (Linux.getFlags(fd(k)) & Linux.FS_NOCOW_FL) != 0;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    @Override
    public void close() {
        for (Fd fd : fds.values()) fd.close();
        fds.clear();
    }
}
