package io.vdetach.image;

import io.vdetach.extent.HostFile;

/**
 * What guest bytes from some offset up to {@code end} are, as a {@link PiecewiseImage} classifies
 * them: stored as-is at {@code host} of {@code file}, zeros, left to the parent, or inside a
 * compressed unit (qcow2 cluster, VMDK grain) whose stored bytes start at {@code host} of
 * {@code file} ({@code length} of them, when the format says).
 */
public record Piece(Kind kind, long end, HostFile file, long host, int length) {
    public enum Kind { DATA, ZERO, PARENT, COMPRESSED }

    public static Piece zero(long end) { return new Piece(Kind.ZERO, end, null, 0, 0); }

    public static Piece parent(long end) { return new Piece(Kind.PARENT, end, null, 0, 0); }

    /**
     * Guest bytes from {@code pos} to {@code end} stored from {@code host} of {@code file} on: as
     * much as the file holds, and zeros from where a short file ends (as QEMU reads them).
     */
    public static Piece data(long pos, long end, HostFile file, long host) {
        if (host >= file.size()) return zero(end);
        return new Piece(Kind.DATA, Math.min(end, pos + (file.size() - host)), file, host, 0);
    }
}
