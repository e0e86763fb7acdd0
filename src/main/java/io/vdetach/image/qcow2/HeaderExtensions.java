package io.vdetach.image.qcow2;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The header extensions that follow the header inside the first cluster (spec, "Header
 * extensions"): each is a big-endian (type, length) pair and data padded to 8 bytes, ended
 * by type 0. Only the ones a reader needs are kept.
 *
 * @param backingFormat backing file format name (type 0xe2792aca), or null
 * @param dataFileName external data file name (type 0x44415441), or null
 * @param dataFileNameAt offset of that name in the file (the first cluster), or -1
 * @param incompatibleNames names of incompatible feature bits from the feature table (0x6803f857)
 * @param hasCryptoHeader a full disk encryption header (0x0537be77) is present
 */
record HeaderExtensions(String backingFormat, String dataFileName, long dataFileNameAt,
        Map<Integer, String> incompatibleNames, boolean hasCryptoHeader) {

    static final int END = 0;
    static final int BACKING_FORMAT = 0xe2792aca;
    static final int FEATURE_TABLE = 0x6803f857;
    static final int CRYPTO_HEADER = 0x0537be77;
    static final int DATA_FILE = 0x44415441;
    /** Spec: a feature table entry is 48 bytes (type, bit number, 46-byte name). */
    private static final int FEATURE_ENTRY = 48;

    /** Parses the extensions in {@code cluster} (the whole first cluster) from {@code start}. */
    static HeaderExtensions parse(ByteBuffer cluster, int start) {
        ByteBuffer b = cluster.duplicate().order(ByteOrder.BIG_ENDIAN);
        String backingFormat = null, dataFile = null;
        long dataFileAt = -1;
        boolean crypto = false;
        Map<Integer, String> names = new HashMap<>();
        int pos = start;
        while (true) {
            if (pos + 8 > b.limit()) {
                throw new CorruptImageException("qcow2", "header extension", pos, "extensions run past the first cluster");
            }
            int type = b.getInt(pos);
            long len = Integer.toUnsignedLong(b.getInt(pos + 4));
            if (type == END) break;
            int data = pos + 8;
            if (len > b.limit() - data) {
                throw new CorruptImageException("qcow2", "header extension", pos, String.format(
                        "extension 0x%08x of %d bytes runs past the first cluster", type, len));
            }
            int n = (int) len;
            switch (type) {
                case BACKING_FORMAT -> backingFormat = string(b, data, n);
                case DATA_FILE -> {
                    dataFile = string(b, data, n);
                    dataFileAt = data;
                }
                case CRYPTO_HEADER -> crypto = true;
                case FEATURE_TABLE -> {
                    for (int e = data; e + FEATURE_ENTRY <= data + n; e += FEATURE_ENTRY) {
                        if (b.get(e) == 0) names.put(b.get(e + 1) & 0xff, cString(b, e + 2, 46));
                    }
                }
                default -> { } // bitmaps and unknown extensions do not change how data is read
            }
            pos = data + ((n + 7) & ~7);
        }
        return new HeaderExtensions(backingFormat, dataFile, dataFileAt, Map.copyOf(names), crypto);
    }

    private static String string(ByteBuffer b, int at, int n) {
        byte[] bytes = new byte[n];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String cString(ByteBuffer b, int at, int max) {
        int n = 0;
        while (n < max && b.get(at + n) != 0) n++;
        return string(b, at, n);
    }
}
