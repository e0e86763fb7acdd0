package io.vdetach.guestfs.ntfs;

import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * $Bitmap (MFT record 6): one bit per cluster, set when the cluster is allocated now
 * (NTFS documentation, "$Bitmap"). Read for --deleted, to say whether a deleted file's
 * clusters may hold another file's data by now.
 */
final class ClusterBitmap {
    /** Bytes of the bitmap read at once: 64 KiB covers 512 Ki clusters. */
    private static final int READ = 64 << 10;

    private final Layer bitmap;

    ClusterBitmap(Layer bitmap) {
        this.bitmap = bitmap;
    }

    /**
     * Whether any of {@code length} clusters from {@code lcn} is allocated now; clusters the bitmap
     * does not cover (a short or damaged $Bitmap) count as allocated: nothing says they are free.
     */
    boolean anyAllocated(long lcn, long length) throws IOException {
        long end = lcn + length; // DataRun.decode bounds both by the volume's clusters
        ByteBuffer buf = ByteBuffer.allocate(READ);
        long c = lcn;
        while (c < end) {
            long byteAt = c / 8;
            if (byteAt >= bitmap.size()) return true;
            buf.clear().limit((int) Math.min(READ, Math.min(bitmap.size() - byteAt, (end - 1) / 8 - byteAt + 1)));
            bitmap.readFully(byteAt, buf);
            for (int i = 0; i < buf.limit() && c < end; i++) {
                int bits = buf.get(i) & 0xff;
                for (int bit = (int) (c % 8); bit < 8 && c < end; bit++, c++) {
                    if ((bits & (1 << bit)) != 0) return true;
                }
            }
        }
        return false;
    }
}
