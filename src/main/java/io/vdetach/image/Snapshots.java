package io.vdetach.image;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Snapshots kept inside an image file (qcow2's internal snapshots): the capability behind
 * {@code --snapshot} and {@code ls --snapshots}. A format without them answers none from
 * {@link DiskImage#snapshots()}, and the opener refuses {@code --snapshot} for it (exit 2).
 */
public interface Snapshots {

    /** One snapshot as {@code qemu-img snapshot -l} shows it; {@code size} is its guest disk size. */
    record Entry(String id, String name, long size, Instant date) {}

    /** In the order the image stores them; empty when it has none (yet). */
    List<Entry> list();

    /**
     * The disk as it was at the snapshot with id, else name, {@code idOrName}. The returned image
     * takes over the files of the image this came from: close it, not that one.
     *
     * @throws io.vdetach.error.UsageException (exit 2) naming the snapshots there are, when none matches
     */
    DiskImage open(String idOrName) throws IOException;
}
