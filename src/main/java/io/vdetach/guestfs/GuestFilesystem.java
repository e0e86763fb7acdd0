package io.vdetach.guestfs;

import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/**
 * A guest filesystem, read-only over its volume. Everything a parser reads from the volume
 * is untrusted; damage is reported as {@link io.vdetach.error.CorruptImageException} naming
 * the filesystem, the structure (with inode or record number) and the byte offset in the volume.
 *
 * <p>Deliberately not sealed: each filesystem registers as a {@link FilesystemFormat} in
 * {@link FilesystemProbe#FORMATS}, and no code may switch over, cast to or test for an
 * implementation; what a caller needs is a method here.
 */
public interface GuestFilesystem extends AutoCloseable {

    /** "ext2", "ext3", "ext4", "ntfs", "vfat", "exfat", "xfs". */
    String type();

    /** Volume label, or "" when none. */
    String label();

    /** Block (cluster) size: file data runs start on multiples of it within the volume. */
    int blockSize();

    /**
     * Bytes the filesystem has allocated (data and metadata) as its own counters say, for
     * progress estimates only; -1 when unknown.
     */
    default long usedBytes() {
        return -1;
    }

    /** Entries (inodes) in use as the filesystem's counters say, for progress estimates; -1 when unknown. */
    default long usedEntries() {
        return -1;
    }

    /**
     * Decimal digits of a second each of its times keeps, for evidence outputs (docs/evidence.md).
     * Every filesystem says what it stores; the default writes all nine digits a node holds.
     */
    default TimePrecision timePrecision() {
        return TimePrecision.NANOSECONDS;
    }

    /**
     * The entry's number as the filesystem's own tools name it, for evidence outputs: the inode
     * number (ext, XFS; the default: the node's id), "record-sequence" of its MFT record (NTFS, as
     * Sleuth Kit writes it), the byte offset of its directory entry in the volume (FAT, exFAT; 0 for
     * the root, which has none).
     */
    default String inodeLabel(Node node) throws IOException {
        return Long.toString(node.id());
    }

    /**
     * Bytes the guest allocates for a regular file's data, {@code content} being
     * {@link #content}{@code (file)}: by default its runs stored on the volume, each widened to
     * whole blocks (a block counted once). Data kept in metadata (ext4 inline data) and holes
     * allocate nothing; a filesystem that compresses says what it really allocates.
     */
    default long allocated(Node file, Layer content) throws IOException {
        long bs = blockSize();
        long total = 0;
        long counted = 0; // blocks before this one are counted
        for (Run r : content.map(0, content.size())) {
            if (!(r instanceof Run.Mapped)) continue;
            long first = Math.max(counted, r.start() / bs);
            long end = Math.ceilDiv(r.end(), bs);
            if (end > first) total += (end - first) * bs;
            counted = Math.max(counted, end);
        }
        return total;
    }

    /** Facts about the whole volume a user should see (journal needs recovery, dirty, …). */
    List<String> warnings();

    long rootId();

    Node node(long id) throws IOException;

    /** The entries of a directory, without "." and "..". */
    List<DirEntry> list(Node directory) throws IOException;

    /** A directory's entries handed out one at a time. */
    @FunctionalInterface
    interface Entries {
        /** The next entry, or null after the last. */
        DirEntry next() throws IOException;
    }

    /**
     * The entries of a directory ({@link #list}'s), one at a time. A filesystem that can read a
     * directory piece by piece overrides it, so a directory of millions of names (or a hostile one
     * presenting its blocks again and again) is never held whole; {@link TreeWalker} walks with it.
     */
    default Entries entries(Node directory) throws IOException {
        Iterator<DirEntry> it = list(directory).iterator();
        return () -> it.hasNext() ? it.next() : null;
    }

    /**
     * A regular file's data: size equals {@code file.size()}; its map gives runs
     * {@link io.vdetach.extent.Run.Mapped} onto the volume layer, holes, or runs to materialise.
     */
    Layer content(Node file) throws IOException;

    /**
     * Named streams of {@code file} too large for a host xattr (above 64 KiB), which are
     * therefore not in {@link Node#xattrs()}. Empty for filesystems without named streams.
     */
    default List<NamedStream> largeStreams(Node file) throws IOException {
        return List.of();
    }

    /**
     * Every named data stream of {@code file} (NTFS alternate data streams), whatever its size:
     * those up to 64 KiB are also in {@link Node#xattrs()} as {@code user.<name>}, larger ones are
     * {@link #largeStreams}. Empty for filesystems without named streams.
     */
    default List<NamedStream> namedStreams(Node file) throws IOException {
        return List.of();
    }

    /**
     * Deleted and orphan entries (the {@code --deleted} option), or empty when the filesystem
     * cannot tell (XFS: "not supported for xfs").
     */
    default java.util.Optional<DeletedEntries> deleted() throws IOException {
        return java.util.Optional.empty();
    }

    @Override
    default void close() throws IOException {}
}
