package io.vdetach.image.vmdk;

import io.vdetach.error.CorruptImageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text descriptor (spec, "The Descriptor File"): header keys (version, CID, parentCID,
 * createType, parentFileNameHint), the extent lines, and the disk database (ignored).
 *
 * @param keyAt the file offset of each key's line
 */
record Descriptor(Map<String, String> keys, Map<String, Long> keyAt, List<ExtentLine> extents) {
    /** Descriptors are a few hundred bytes; larger ones are refused. */
    static final int MAX_BYTES = 1 << 20;
    /** A 2 TB twoGbMaxExtent disk has about 1000 extents; more than this is refused. */
    static final int MAX_EXTENTS = 4096;
    /** Parent CID value meaning "no parent". */
    static final long CID_NONE = 0xffffffffL;

    private static final Pattern EXTENT = Pattern.compile(
            "(RW|RDONLY|NOACCESS)\\s+(\\d{1,20})\\s+([A-Za-z]+)(?:\\s+\"([^\"]*)\"(?:\\s+(\\d{1,20}))?)?.*");
    private static final Pattern KEY = Pattern.compile("([A-Za-z0-9_.]+)\\s*=\\s*(?:\"([^\"]*)\"|(\\S*)).*");

    /**
     * Parses descriptor text; {@code embedded} descriptors (inside a sparse file, which is its own
     * extent) may lack extent lines, separate ones may not.
     */
    static Descriptor parse(String text, String file, long at, boolean embedded) {
        Map<String, String> keys = new HashMap<>();
        Map<String, Long> keyAt = new HashMap<>();
        List<ExtentLine> extents = new ArrayList<>();
        int n = 0;
        long next = at;
        for (String raw : text.split("\n")) {
            n++;
            long lineAt = next;
            next += raw.getBytes(StandardCharsets.UTF_8).length + 1;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            Matcher e = EXTENT.matcher(line);
            if (e.matches()) {
                if (extents.size() >= MAX_EXTENTS) {
                    throw new CorruptImageException("vmdk", "descriptor line " + n, lineAt, file + " has more than "
                            + MAX_EXTENTS + " extents");
                }
                long sectors = number(e.group(2), file, lineAt, n);
                long offset = e.group(5) == null ? 0 : number(e.group(5), file, lineAt, n);
                extents.add(new ExtentLine(e.group(1), sectors, e.group(3).toUpperCase(java.util.Locale.ROOT),
                        e.group(4), offset, n, lineAt));
                continue;
            }
            Matcher k = KEY.matcher(line);
            if (k.matches() && keys.putIfAbsent(k.group(1), k.group(2) != null ? k.group(2) : k.group(3)) == null) {
                keyAt.put(k.group(1), lineAt);
            }
        }
        if (extents.isEmpty() && !embedded) {
            throw new CorruptImageException("vmdk", "descriptor", at, file + " names no extents");
        }
        return new Descriptor(Map.copyOf(keys), Map.copyOf(keyAt), List.copyOf(extents));
    }

    private static long number(String s, String file, long at, int line) {
        try {
            long v = Long.parseLong(s);
            if (v > SparseExtentHeader.MAX_CAPACITY) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException ex) {
            throw new CorruptImageException("vmdk", "descriptor line " + line, at, file + ": number " + s + " out of range");
        }
    }

    String createType() { return keys.getOrDefault("createType", "?"); }

    String parentFileNameHint() {
        String p = keys.get("parentFileNameHint");
        return p == null || p.isEmpty() ? null : p;
    }

    /** CID or parentCID as an unsigned 32-bit value; -1 when absent or malformed. */
    long cid(String key) {
        String v = keys.get(key);
        if (v == null) return -1;
        try {
            return Long.parseLong(v, 16) & 0xffffffffL;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
