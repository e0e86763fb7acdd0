package io.vdetach.image.qcow2;

import io.vdetach.error.CorruptImageException;
import io.vdetach.image.zstd.ZstdDecoder;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Turns one compressed cluster back into its {@code clusterSize} bytes. qcow2 stores deflate
 * without a zlib header (QEMU compresses with windowBits -12); compression_type 1 is zstd
 * (spec, "compression type"), decoded by our own RFC 8878 decoder.
 */
final class ClusterDecompressor {
    private ClusterDecompressor() {}

    static final int DEFLATE = 0;
    static final int ZSTD = 1;

    static String name(int type) {
        return type == ZSTD ? "zstd" : "deflate";
    }

    static byte[] decompress(int type, byte[] in, int clusterSize, String file, long at) {
        if (type == ZSTD) return zstd(in, clusterSize, at);
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
            // A stream that goes on past the cluster is corrupt, not cut: its bytes are not the cluster's.
            if (!inf.finished() && inf.inflate(new byte[1]) > 0) {
                throw new CorruptImageException("qcow2", "compressed cluster", at, "inflates to more than the cluster's "
                        + clusterSize + " bytes");
            }
            return out;
        } catch (DataFormatException e) {
            throw new CorruptImageException("qcow2", "compressed cluster", at, "bad deflate data: " + e.getMessage());
        } finally {
            inf.end();
        }
    }

    private static byte[] zstd(byte[] in, int clusterSize, long at) {
        byte[] out = new byte[clusterSize];
        try {
            int n = ZstdDecoder.decompress(in, in.length, out);
            if (n != clusterSize) {
                throw new CorruptImageException("qcow2", "compressed cluster", at, "zstd data decodes to " + n + " of "
                        + clusterSize + " bytes");
            }
            return out;
        } catch (DataFormatException e) {
            throw new CorruptImageException("qcow2", "compressed cluster", at, "bad zstd data: " + e.getMessage());
        } catch (IndexOutOfBoundsException e) {
            // the decoder checks every length it reads; this is a last guard against hostile input
            throw new CorruptImageException("qcow2", "compressed cluster", at, "bad zstd data (" + e.getMessage() + ")");
        }
    }
}
