package io.vdetach.evidence;

import io.vdetach.error.ErrorKind;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TimePrecision;
import java.util.List;
import java.util.Map;

/**
 * One entry of a run as the evidence outputs write it: a manifest line ({@link ManifestLine}) and
 * a bodyfile line ({@link BodyfileLine}). Every key is described in docs/evidence.md.
 *
 * @param volume the volume's name ("p1", "vg-lv", "disk")
 * @param path where it was extracted, relative to DEST (the tar member's name under --tar); null when
 *     nothing was extracted ({@code ls}, or the entry failed before it existed)
 * @param guestPath the guest's raw name components below the volume's root (empty for the root)
 * @param node what the guest says of it; null when it could not be read
 * @param inode {@link io.vdetach.guestfs.GuestFilesystem#inodeLabel}; null without a node
 * @param precision the filesystem's time precision; null without a node
 * @param allocated bytes the guest allocates for a regular file's data; null for other entries
 * @param streams named data streams (NTFS alternate data streams)
 * @param extraction bytes shared, copied and decoded into the extracted file; null when not extracted as a file
 * @param hashes algorithm key &rarr; hex digest of a regular file's content; empty when not hashed
 * @param hardlinkTo a later name of a hard-linked file: the path the first name was extracted to
 * @param error why the entry failed or was skipped (null when ok)
 * @param kind the error's kind (null when ok or skipped)
 * @param deleted below {@code $Deleted/} or {@code $Orphan/} (--deleted): not part of the live tree
 * @param recovery a recovered entry's "recovery" value ("metadata intact", "clusters possibly reused",
 *     "names only"); null for live entries and the directories of rebuilt paths
 */
public record EntryRecord(String volume, byte[] path, List<byte[]> guestPath, Node node, String inode,
                          TimePrecision precision, Long allocated, List<Stream> streams, Extraction extraction,
                          Map<String, String> hashes, byte[] hardlinkTo, Status status, String error, ErrorKind kind,
                          boolean deleted, String recovery) {

    /** A live entry. */
    public EntryRecord(String volume, byte[] path, List<byte[]> guestPath, Node node, String inode, TimePrecision precision,
                       Long allocated, List<Stream> streams, Extraction extraction, Map<String, String> hashes,
                       byte[] hardlinkTo, Status status, String error, ErrorKind kind) {
        this(volume, path, guestPath, node, inode, precision, allocated, streams, extraction, hashes, hardlinkTo, status, error,
                kind, false, null);
    }

    /** What became of the entry. */
    public enum Status {
        /** Extracted (or listed) as the guest has it. */
        OK,
        /** Not extracted, or not completely: {@code error} says why. */
        ERROR,
        /** Left out by --on-conflict skip. */
        SKIPPED;

        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /**
     * A named data stream.
     *
     * @param path where it was written as a file of its own (streams above 64 KiB: "doc.txt:big"); null
     *     when it is an xattr of the entry's file (or nothing was extracted)
     */
    public record Stream(byte[] name, long size, Map<String, String> hashes, byte[] path) {}

    /** Bytes of an extracted file by how they got there; {@code copied} includes {@code decoded}'s, as the report counts. */
    public record Extraction(long shared, long copied, long decoded) {}
}
