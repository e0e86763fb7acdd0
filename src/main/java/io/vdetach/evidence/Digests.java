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

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 16).asReadOnlyBuffer();

    private final Map<Algorithm, MessageDigest> digests = new LinkedHashMap<>();
    private long length;

    public Digests(List<Algorithm> algorithms) {
        for (Algorithm a : algorithms) {
            try {
                digests.put(a, MessageDigest.getInstance(a.jca));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks " + a.jca, e);
            }
        }
    }

    /** Bytes fed so far. */
    public long length() { return length; }

    /** Feeds the remaining bytes of {@code b}, leaving its position where it was. */
    public void update(ByteBuffer b) {
        int n = b.remaining();
        for (MessageDigest d : digests.values()) d.update(b.duplicate());
        length += n;
    }

    /** Feeds {@code n} zero bytes (a hole). */
    public void zeros(long n) {
        long left = n;
        while (left > 0) {
            ByteBuffer z = ZEROS.duplicate();
            z.limit((int) Math.min(z.capacity(), left));
            update(z);
            left -= z.limit();
        }
    }

    /** Each algorithm's key and lower-case hex digest; the digests are spent afterwards. */
    public Map<String, String> finish() {
        Map<String, String> out = new LinkedHashMap<>();
        digests.forEach((a, d) -> out.put(a.key(), HexFormat.of().formatHex(d.digest())));
        return out;
    }
}
