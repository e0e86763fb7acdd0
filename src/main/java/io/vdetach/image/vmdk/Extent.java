package io.vdetach.image.vmdk;

import io.vdetach.extent.HostFile;
import io.vdetach.image.Piece;
import java.io.IOException;

/** One extent of a VMDK: a contiguous slice of the virtual disk stored one way. */
sealed interface Extent permits FlatExtent, ZeroExtent, SparseExtent, SeSparseExtent {
    /** Size in bytes of the slice of the virtual disk this extent holds. */
    long size();

    /** The host file, or null for ZERO. */
    HostFile file();

    /** What bytes {@code [pos, limit)} (extent-relative) are, up to where that changes. */
    Piece classify(long pos, long limit) throws IOException;

    /** For ls: "SPARSE 20480 sectors, grain 64 KiB …". */
    String detail();
}
