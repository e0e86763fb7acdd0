package io.vdetach.image;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Snapshots kept inside an image file (qcow2's internal snapshots): the capability behind
 * {@code --snapshot} and {@code ls --snapshots}. A format without them answers none from
 * {@link DiskImage#snapshots()}, and the opener refuses {@code --snapshot} for it (exit 2).
 *
 * @param list the snapshots in the order the image stores them; empty when it has none (yet)
 * @param opener opens the disk as it was at the snapshot with id, else name, {@code idOrName}; the
 *     returned image takes over the files of the one it came from (close it, not that one); a
 *     {@link io.vdetach.error.UsageException} (exit 2) naming the snapshots there are when none matches
 */
public record Snapshots(List<Entry> list, Opener opener) {

    /** One snapshot as {@code qemu-img snapshot -l} shows it; {@code size} is its guest disk size. */
    public record Entry(String id, String name, long size, Instant date) {}

    public interface Opener {
        DiskImage open(String idOrName) throws IOException;
    }
}
