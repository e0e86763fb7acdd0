package io.vdetach.testkit;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel (or a FUSE driver) says about every entry of a mounted tree, as GNU stat and
 * sha256sum/md5sum print it: the oracle for a manifest. Paths are relative to the root, as raw
 * bytes kept in ISO-8859-1 strings (so names that are not UTF-8 stay exact).
 */
public final class OracleFacts {
    private OracleFacts() {}

    /**
     * @param atimeNs stat's %.9X as nanoseconds (exact: stat prints the decimal value)
     * @param btimeNs statx birth time, or null where the filesystem does not give one
     */
    public record Facts(String type, long size, long ino, long nlink, int mode, long uid, long gid, long atimeNs,
                        long mtimeNs, long ctimeNs, Long btimeNs) {}

    /** Path (ISO-8859-1 of its bytes) &rarr; facts, for every entry below {@code root} (root itself as ""). */
    public static Map<String, Facts> stat(Path root) throws IOException {
        Path out = Files.createTempFile("stat", ".out");
        try {
            Sh.bash("cd '" + root + "' && find . -print0 | xargs -0 stat --printf '%n\\0%F\\0%s\\0%i\\0%h\\0%a\\0%u\\0%g\\0%.9X\\0%.9Y\\0%.9Z\\0%.9W\\0' > " + out);
            List<String> f = fields(Files.readAllBytes(out));
            Map<String, Facts> m = new HashMap<>();
            for (int i = 0; i + 12 <= f.size(); i += 12) {
                String w = f.get(i + 11);
                Long btime = w.startsWith("-") || w.equals("0.000000000") || w.equals("0") ? null : ns(w);
                m.put(rel(f.get(i)), new Facts(type(f.get(i + 1)), Long.parseLong(f.get(i + 2)), Long.parseLong(f.get(i + 3)),
                        Long.parseLong(f.get(i + 4)), Integer.parseInt(f.get(i + 5), 8), Long.parseLong(f.get(i + 6)),
                        Long.parseLong(f.get(i + 7)), ns(f.get(i + 8)), ns(f.get(i + 9)), ns(f.get(i + 10)), btime));
            }
            return m;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Path &rarr; hex digest of every regular file, by {@code tool} ("sha256sum", "md5sum") with -z (names unescaped). */
    public static Map<String, String> digests(Path root, String tool) throws IOException {
        Path out = Files.createTempFile("sum", ".out");
        try {
            Sh.bash("cd '" + root + "' && find . -type f -print0 | xargs -0 -r " + tool + " -z > " + out);
            Map<String, String> m = new HashMap<>();
            for (String rec : fields(Files.readAllBytes(out))) {
                int sep = rec.indexOf("  ");
                m.put(rel(rec.substring(sep + 2)), rec.substring(0, sep));
            }
            return m;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** A relative path as the key these maps use. */
    public static String key(byte[] relative) {
        return new String(relative, StandardCharsets.ISO_8859_1);
    }

    private static List<String> fields(byte[] raw) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                out.add(new String(raw, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return out;
    }

    private static String rel(String findPath) {
        if (findPath.equals(".")) return "";
        return findPath.startsWith("./") ? findPath.substring(2) : findPath;
    }

    private static long ns(String decimal) {
        return new BigDecimal(decimal).movePointRight(9).longValueExact();
    }

    private static String type(String statType) {
        return switch (statType) {
            case "regular file", "regular empty file" -> "file";
            case "directory" -> "directory";
            case "symbolic link" -> "symlink";
            case "fifo" -> "fifo";
            case "socket" -> "socket";
            case "character special file" -> "char_device";
            case "block special file" -> "block_device";
            default -> statType;
        };
    }
}
