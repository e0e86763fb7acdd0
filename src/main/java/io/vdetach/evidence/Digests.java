package io.vdetach.evidence;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hashes asked for ({@code --hash sha256,md5,sha1}) of one byte stream, fed in order; holes
 * are fed as zeros, since a file's hash covers what it reads as.
 */
public final class Digests {
    /** Algorithms by the names users give them. */
    public enum Algorithm {
        SHA256("SHA-256"), MD5("MD5"), SHA1("SHA-1");

        private final String jca;

        Algorithm(String jca) {
            this.jca = jca;
        }

        /** "sha256", "md5", "sha1": the manifest key and the option value. */
        public String key() { return name().toLowerCase(Locale.ROOT); }

        public static Algorithm parse(String s) {
            for (Algorithm a : values()) if (a.key().equals(s.trim().toLowerCase(Locale.ROOT))) return a;
            throw new IllegalArgumentException("unknown hash \"" + s + "\" (sha256, md5, sha1)");
        }
    }

    /** Zeros fed for holes, and the chunk a buffer without an array is copied through (MessageDigest copies 4 KiB at a time). */
    private static final byte[] ZEROS = new byte[1 << 16];
    private static final ThreadLocal<byte[]> CHUNK = ThreadLocal.withInitial(() -> new byte[1 << 16]);

    /**
     * In an array, not a map: iterating a map's values around each 64 KiB update made HotSpot's
     * compiled loop about 100 times slower than the digest itself (measured: 5 MB/s instead of 500).
     */
    private final Algorithm[] algorithms;
    private final MessageDigest[] digests;
    private long length;

    public Digests(List<Algorithm> algorithms) {
        this.algorithms = algorithms.toArray(Algorithm[]::new);
        this.digests = new MessageDigest[this.algorithms.length];
        for (int i = 0; i < digests.length; i++) {
            try {
                digests[i] = MessageDigest.getInstance(this.algorithms[i].jca);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks " + this.algorithms[i].jca, e);
            }
        }
    }

    /** Bytes fed so far. */
    public long length() { return length; }

    /** Feeds the remaining bytes of {@code b}, leaving its position where it was. */
    public void update(ByteBuffer b) {
        int n = b.remaining();
        if (b.hasArray()) {
            for (MessageDigest d : digests) d.update(b.array(), b.arrayOffset() + b.position(), n);
        } else {
            byte[] chunk = CHUNK.get();
            for (int done = 0; done < n; ) {
                int k = Math.min(chunk.length, n - done);
                b.get(b.position() + done, chunk, 0, k);
                for (MessageDigest d : digests) d.update(chunk, 0, k);
                done += k;
            }
        }
        length += n;
    }

    /** Feeds {@code n} zero bytes (a hole). */
    public void zeros(long n) {
        for (long left = n; left > 0; ) {
            int k = (int) Math.min(ZEROS.length, left);
            for (MessageDigest d : digests) d.update(ZEROS, 0, k);
            left -= k;
            length += k;
        }
    }

    /** Each algorithm's key and lower-case hex digest; the digests are spent afterwards. */
    public Map<String, String> finish() {
        return hex(List.of(algorithms), finishRaw());
    }

    /** Each algorithm's digest, in the order given; the digests are spent afterwards. */
    public byte[][] finishRaw() {
        byte[][] out = new byte[digests.length][];
        for (int i = 0; i < digests.length; i++) out[i] = digests[i].digest();
        return out;
    }

    /** {@code raw} (from {@link #finishRaw} with {@code algorithms}) as each key and lower-case hex digest. */
    public static Map<String, String> hex(List<Algorithm> algorithms, byte[][] raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < raw.length; i++) out.put(algorithms.get(i).key(), HexFormat.of().formatHex(raw[i]));
        return out;
    }
}
