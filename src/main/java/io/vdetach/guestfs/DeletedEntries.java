package io.vdetach.guestfs;

import java.io.IOException;

/**
 * Recovered (deleted or orphan) entries of a filesystem, handed out one at a time so a volume
 * with millions of them is never held whole; each scanner bounds what it reads by the volume's
 * own metadata (MFT size, inode count, directory blocks).
 */
@FunctionalInterface
public interface DeletedEntries {
    /** The next recovered entry, or null after the last. */
    Recovered next() throws IOException;
}
