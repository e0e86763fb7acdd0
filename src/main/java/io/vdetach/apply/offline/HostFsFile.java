package io.vdetach.apply.offline;

import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.ext.codec.Ext4Extent;

import java.util.List;

/**
 * A file of the unmounted host that an image chain reads: the top image, an extent, a backing
 * file.
 *
 * @param fsPath its path inside the host filesystem, from the root ("/vm/disk.qcow2")
 * @param ino its inode number
 * @param links its link count (one for a file a detach may remove)
 * @param extents its extents, as the host's extent tree holds them (unwritten ones too)
 * @param file its bytes, read from the device through those extents
 */
record HostFsFile(String fsPath, long ino, int links, List<Ext4Extent> extents, HostFile file) {
    HostFsFile {
        extents = List.copyOf(extents);
    }
}
