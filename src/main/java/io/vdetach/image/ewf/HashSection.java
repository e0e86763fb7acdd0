package io.vdetach.image.ewf;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Adler32;

/**
 * The stored media hashes: a "hash" section (libyal EWF, "Hash section": MD5 at 0, 16 unknown
 * bytes, Adler-32 of the first 32 bytes at 32) or a "digest" section ("Digest section": MD5 at 0,
 * SHA-1 at 16, 40 bytes of padding, Adler-32 of the first 76 bytes at 76). A hash of all zeros
 * means none was stored.
 */
final class HashSection {
    private HashSection() {}

    /** Adds the hashes of the section {@code d} ("hash" or "digest") to {@code into}. */
    static void parse(HostFile file, SectionDescriptor d, Map<String, String> into) throws IOException {
        boolean digest = d.type().equals("digest");
        int sumAt = digest ? 76 : 32;
        if (d.bodySize() < sumAt + 4) {
            throw new CorruptImageException("ewf", d.type() + " section", d.at(), file.describe() + ": too short");
        }
        long at = d.at() + SectionDescriptor.SIZE;
        ByteBuffer b = file.readBytes(at, sumAt + 4).order(ByteOrder.LITTLE_ENDIAN);
        Adler32 sum = new Adler32();
        sum.update(b.array(), 0, sumAt);
        if ((int) sum.getValue() != b.getInt(sumAt)) {
            throw new CorruptImageException("ewf", d.type() + " section checksum", at + sumAt, file.describe() + ": the "
                    + d.type() + " section fails its Adler-32");
        }
        Map<String, String> found = new LinkedHashMap<>();
        put(found, "MD5", b.array(), 0, 16);
        if (digest) put(found, "SHA-1", b.array(), 16, 20);
        into.putAll(found);
    }

    private static void put(Map<String, String> into, String name, byte[] b, int from, int len) {
        for (int i = from; i < from + len; i++) {
            if (b[i] != 0) {
                into.put(name, HexFormat.of().formatHex(b, from, from + len));
                return;
            }
        }
    }
}
