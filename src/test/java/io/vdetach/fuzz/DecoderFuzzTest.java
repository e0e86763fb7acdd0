package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.image.zstd.ZstdDecoder;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import org.junit.jupiter.api.Timeout;

/**
 * The decompressors on raw input. LZNT1, XPRESS Huffman and LZX return null or a reason and must
 * never throw; zstd returns a length or throws {@link DataFormatException}; a qcow2 compressed
 * cluster (deflate or zstd) decodes to exactly one cluster or is a CorruptImageException. The
 * first bytes of an input choose the output size, as the image would.
 * The NTFS decoders and qcow2's cluster decompressor are package-private: reached by reflection
 * (tests run inside the module).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DecoderFuzzTest {
    private static final MethodHandle LZNT1 = find("io.vdetach.guestfs.ntfs.Lznt1", "decompress",
            MethodType.methodType(String.class, byte[].class, int.class, byte[].class, int.class), true);
    private static final MethodHandle XPRESS = decoder("io.vdetach.guestfs.ntfs.XpressHuffman");
    private static final MethodHandle LZX = decoder("io.vdetach.guestfs.ntfs.Lzx");
    private static final MethodHandle CLUSTER = find("io.vdetach.image.qcow2.ClusterDecompressor", "decompress",
            MethodType.methodType(byte[].class, int.class, byte[].class, int.class, String.class, long.class), true);

    /** One NTFS compression unit: 16 clusters of at most 4 KiB (NTFS compresses no larger clusters). */
    @FuzzTest(maxDuration = "20m")
    void lznt1(byte[] input) throws Throwable {
        if (input.length < 1) return;
        int out = ((input[0] & 0x0f) + 1) << 12;
        ntfs(LZNT1, input, out);
    }

    /** A WOF XPRESS4K/8K/16K chunk (the decoder takes any output size up to its 64 KiB blocks and beyond). */
    @FuzzTest(maxDuration = "20m")
    void xpressHuffman(byte[] input) throws Throwable {
        if (input.length < 2) return;
        ntfs(XPRESS, input, ((input[0] & 0xff) | (input[1] & 0xff) << 8) + 1);
    }

    /** A WOF LZX chunk: at most its 32 KiB window. */
    @FuzzTest(maxDuration = "20m")
    void lzx(byte[] input) throws Throwable {
        if (input.length < 2) return;
        ntfs(LZX, input, (((input[0] & 0xff) | (input[1] & 0xff) << 8) & 0x7fff) + 1);
    }

    /** A zstd stream into a buffer of up to 2 MiB (qcow2's largest cluster). */
    @FuzzTest(maxDuration = "20m")
    void zstd(byte[] input) throws Exception {
        if (input.length < 3) return;
        byte[] out = new byte[((input[0] & 0xff) | (input[1] & 0xff) << 8 | (input[2] & 0x1f) << 16) + 1];
        byte[] in = Arrays.copyOfRange(input, 3, input.length);
        try {
            int n = ZstdDecoder.decompress(in, in.length, out);
            if (n < 0 || n > out.length) throw new AssertionError("zstd returned " + n + " for " + out.length + " bytes");
        } catch (DataFormatException expected) {
            // malformed input, reported as such
        }
    }

    /** A qcow2 compressed cluster: type (bit 7: zstd), cluster bits 9..21, then the stored bytes. */
    @FuzzTest(maxDuration = "20m")
    void compressedCluster(byte[] input) throws Exception {
        if (input.length < 1) return;
        int type = (input[0] & 0x80) != 0 ? 1 : 0;
        int clusterSize = 1 << (9 + (input[0] & 0x7f) % 13);
        byte[] in = Arrays.copyOfRange(input, 1, input.length);
        Invariant.onlyOurErrors(() -> {
            byte[] out;
            try {
                out = (byte[]) CLUSTER.invoke(type, in, clusterSize, "fuzz.qcow2", 0L);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (out.length != clusterSize) throw new AssertionError(out.length + " bytes for a cluster of " + clusterSize);
        });
    }

    private static void ntfs(MethodHandle decoder, byte[] input, int out) throws Throwable {
        byte[] dst = new byte[out];
        Object ignoredReason = decoder.invoke(input, input.length, dst, out);
    }

    private static MethodHandle decoder(String className) {
        try {
            Class<?> c = Class.forName(className);
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
            Object instance = l.findConstructor(c, MethodType.methodType(void.class)).invoke();
            return l.findVirtual(c, "decompress", MethodType.methodType(String.class, byte[].class, int.class, byte[].class, int.class))
                    .bindTo(instance);
        } catch (Throwable e) {
            throw new IllegalStateException(className + " changed: " + e, e);
        }
    }

    private static MethodHandle find(String className, String method, MethodType type, boolean isStatic) {
        try {
            Class<?> c = Class.forName(className);
            return MethodHandles.privateLookupIn(c, MethodHandles.lookup()).findStatic(c, method, type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(className + "." + method + " changed: " + e, e);
        }
    }
}
