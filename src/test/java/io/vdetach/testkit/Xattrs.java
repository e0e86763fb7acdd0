package io.vdetach.testkit;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Reads every xattr of a tree with getfattr (all namespaces, hex values), the oracle's way. */
final class Xattrs {
    private Xattrs() {}

    /** Absolute path &rarr; (name &rarr; hex value). Empty when getfattr is missing. */
    static Map<String, Map<String, String>> readTree(Path root) {
        Map<String, Map<String, String>> out = new HashMap<>();
        if (!Sh.has("getfattr")) return out;
        Sh.Result r = Sh.exec(null, "getfattr", "-R", "-h", "-d", "-m", "-", "-e", "hex", "--absolute-names", root.toString());
        String file = null;
        for (String line : r.out().split("\n")) {
            if (line.startsWith("# file: ")) {
                file = unescape(line.substring(8));
            } else if (file != null && line.contains("=")) {
                int eq = line.indexOf('=');
                String name = line.substring(0, eq);
                if (name.equals("security.selinux")) continue;
                String v = line.substring(eq + 1);
                if (v.startsWith("0x")) v = v.substring(2);
                out.computeIfAbsent(file, k -> new TreeMap<>()).put(name, v);
            } else if (line.isEmpty()) {
                file = null;
            }
        }
        return out;
    }

    /** getfattr writes bytes outside printable ASCII as \ooo octal. */
    private static String unescape(String s) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        byte[] raw = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '\\' && i + 3 < raw.length + 0 && i + 3 <= raw.length - 1 + 1
                    && isOct(raw, i + 1) && isOct(raw, i + 2) && isOct(raw, i + 3)) {
                b.write(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0'));
                i += 3;
            } else {
                b.write(raw[i]);
            }
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static boolean isOct(byte[] b, int i) {
        return i < b.length && b[i] >= '0' && b[i] <= '7';
    }
}
