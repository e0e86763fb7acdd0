package io.vdetach.image.qcow2;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Turns one compressed cluster back into its {@code clusterSize} bytes. qcow2 stores deflate
 * without a zlib header (QEMU compresses with windowBits -12); compression_type 1 is zstd
 * (spec, "compression type"), which this reader does not decode.
 */
final class ClusterDecompressor {
    private ClusterDecompressor() {}

    static final int DEFLATE = 0;
    static final int ZSTD = 1;

    static String name(int type) {
        return type == ZSTD ? "zstd" : "deflate";
    }

    static byte[] decompress(int type, byte[] in, int clusterSize, String file, long at) {
        if (type == ZSTD) {
            throw UnsupportedImageException.because("qcow2: zstd-compressed qcow2 clusters are not supported (" + file
                    + ", cluster data at offset " + at + ")");
        }
        byte[] out = new byte[clusterSize];
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(in);
            int n = 0;
            while (n < clusterSize) {
                int k = inf.inflate(out, n, clusterSize - n);
                if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            if (n != clusterSize) {
                throw new CorruptImageException("qcow2", "compressed cluster", at, "inflates to " + n + " of "
                        + clusterSize + " bytes");
            }
            return out;
        } catch (DataFormatException e) {
            throw new CorruptImageException("qcow2", "compressed cluster", at, "bad deflate data: " + e.getMessage());
        } finally {
            inf.end();
        }
    }
}
