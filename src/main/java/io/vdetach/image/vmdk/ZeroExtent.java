package io.vdetach.image.vmdk;

import io.vdetach.extent.HostFile;
import io.vdetach.image.Piece;

/** A ZERO extent: reads as zeros and has no file. */
record ZeroExtent(long size) implements Extent {
    @Override public HostFile file() { return null; }

    @Override public Piece classify(long pos, long limit) { return Piece.zero(limit); }

    @Override public String detail() { return "ZERO " + size / 512 + " sectors"; }
}
