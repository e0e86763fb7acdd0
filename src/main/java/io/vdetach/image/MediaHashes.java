package io.vdetach.image;

import io.vdetach.error.ImageException;
import io.vdetach.error.UsageException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code verify --image}: the media hashes an evidence container stored, recomputed over the media
 * as stored (every chunk read and its checksum checked), and compared.
 *
 * @param stored the hashes the container holds, by algorithm
 * @param computed the same algorithms over the media; empty when a damaged chunk stopped the reading
 * @param damage why reading stopped (a chunk failing its checksum), or null
 */
public record MediaHashes(Map<String, String> stored, Map<String, String> computed, String damage) {
    private static final int READ = 16 << 20;

    /** True when every stored hash equals its recomputed value and the media read without damage. */
    public boolean matches() {
        return damage == null && !stored.isEmpty() && stored.entrySet().stream().allMatch(e -> e.getValue().equals(computed.get(e.getKey())));
    }

    public static MediaHashes verify(DiskImage image) throws IOException {
        AcquisitionInfo a = image.acquisition().orElseThrow(() -> new UsageException("verify --image: " + image.describe()
                + " is a " + image.format() + " image, which stores no media hashes"));
        if (a.storedHashes().isEmpty()) {
            throw new UsageException("verify --image: " + image.describe() + " stores no media hash to compare with");
        }
        Map<String, MessageDigest> md = new LinkedHashMap<>();
        for (String alg : a.storedHashes().keySet()) md.put(alg, digest(alg));
        Layer media = a.media();
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(READ, Math.max(1, media.size())));
        try {
            for (long pos = 0; pos < media.size(); ) {
                b.clear().limit((int) Math.min(b.capacity(), media.size() - pos));
                media.readFully(pos, b);
                b.flip();
                for (MessageDigest d : md.values()) d.update(b.duplicate());
                pos += b.limit();
            }
        } catch (ImageException damaged) {
            return new MediaHashes(a.storedHashes(), Map.of(), damaged.getMessage());
        }
        Map<String, String> computed = new LinkedHashMap<>();
        md.forEach((k, d) -> computed.put(k, HexFormat.of().formatHex(d.digest())));
        return new MediaHashes(a.storedHashes(), computed, null);
    }

    private static MessageDigest digest(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(alg + " is part of every JDK", e);
        }
    }
}
