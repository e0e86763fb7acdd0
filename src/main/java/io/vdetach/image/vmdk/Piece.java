package io.vdetach.image.vmdk;

import io.vdetach.extent.HostFile;

/**
 * What the bytes of an extent from some offset up to {@code end} (extent-relative) are:
 * stored as-is at {@code host} of {@code file}, zeros, left to the parent, or inside a
 * compressed grain whose marker starts at {@code host}.
 */
record Piece(Kind kind, long end, HostFile file, long host) {
    enum Kind { DATA, ZERO, PARENT, COMPRESSED }

    static Piece zero(long end) { return new Piece(Kind.ZERO, end, null, 0); }

    static Piece parent(long end) { return new Piece(Kind.PARENT, end, null, 0); }
}
