package io.vdetach.image.vmdk;

import io.vdetach.extent.HostFile;
import io.vdetach.image.Piece;

/**
 * A FLAT or VMFS extent: the slice lies as-is in {@code file} from {@code start}. Bytes past
 * the end of a short file read as zeros, as QEMU reads them.
 */
record FlatExtent(String type, HostFile file, long start, long size) implements Extent {
    @Override
    public Piece classify(long pos, long limit) {
        long host = start + pos;
        return Piece.data(pos, limit, file, host);
    }

    @Override
    public String detail() { return type + " " + size / 512 + " sectors at offset " + start; }
}
