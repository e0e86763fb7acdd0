package io.vdetach.nio;

import io.vdetach.api.ImageOptions;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code env} of {@code FileSystems.newFileSystem}: which image options and which volume
 * (docs/library.md lists the keys). Values may be given as their type or as strings.
 *
 * @param volume the one volume the file system shows at "/" (name or number); null: every volume under "/"
 * @param unknown keys that are not ours: refused once the file is known to be an image (before, they
 *     may belong to another provider's turn)
 */
record Env(ImageOptions options, String volume, List<String> unknown) {

    static Env parse(Map<String, ?> env) {
        ImageOptions o = ImageOptions.defaults();
        String volume = null;
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, ?> e : env.entrySet()) {
            Object v = e.getValue();
            String key = e.getKey();
            switch (key) {
                case "volume" -> volume = text(key, v);
                case "snapshot" -> o = o.withSnapshot(text(key, v));
                case "vss" -> o = o.withShadowCopies(store(v));
                case "allowOutsideParents" -> o = o.withAllowOutsideParents(bool(key, v));
                case "allowMissingDelta" -> o = o.withAllowMissingDelta(bool(key, v));
                case "systemFiles" -> o = o.withSystemFiles(bool(key, v));
                case "ntfsXattrs" -> o = o.withNtfsXattrs(bool(key, v));
                case "fatTimeZone" -> o = o.withFatZone(v instanceof ZoneId z ? z : zone(text(key, v)));
                case "fatCodePage" -> o = v instanceof Charset c ? o.withFatCodePage(c) : o.withFatCodePage(text(key, v));
                case "password" -> { for (String s : texts(key, v)) o = o.withPassword(s); }
                case "passwordFile" -> { for (String s : texts(key, v)) o = o.withPasswordFile(Path.of(s)); }
                case "recoveryPassword" -> { for (String s : texts(key, v)) o = o.withRecoveryPassword(s); }
                case "keyFile" -> { for (String s : texts(key, v)) o = o.withKeyFile(Path.of(s)); }
                case "deleted" -> {
                    if (bool(key, v)) {
                        throw new IllegalArgumentException("env deleted=true: reading deleted files is not supported yet"
                                + " (leave the key out, or false)");
                    }
                }
                default -> unknown.add(key);
            }
        }
        return new Env(o, volume, List.copyOf(unknown));
    }

    private static String text(String key, Object v) {
        if (v instanceof String || v instanceof Number) return v.toString();
        throw new IllegalArgumentException("env " + key + ": a String, not " + type(v));
    }

    private static List<String> texts(String key, Object v) {
        if (v instanceof Path p) return List.of(p.toString());
        if (!(v instanceof Collection<?> c)) return List.of(text(key, v));
        List<String> out = new ArrayList<>();
        for (Object x : c) out.add(x instanceof Path p ? p.toString() : text(key, x));
        return out;
    }

    private static boolean bool(String key, Object v) {
        if (v instanceof Boolean b) return b;
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) return Boolean.parseBoolean(s);
        throw new IllegalArgumentException("env " + key + ": true or false, not " + v);
    }

    /** A store number or "all". */
    private static int store(Object v) {
        if (v instanceof String s && s.toLowerCase(Locale.ROOT).equals("all")) return ImageOptions.ALL_SHADOW_COPIES;
        try {
            int n = v instanceof Number num ? Math.toIntExact(num.longValue()) : Integer.parseInt(String.valueOf(v));
            if (n >= 1) return n;
        } catch (NumberFormatException | ArithmeticException ignored) {
            // the error below
        }
        throw new IllegalArgumentException("env vss: a store number (1, 2, …) or \"all\", not " + v);
    }

    private static ZoneId zone(String s) {
        try {
            return ZoneId.of(s);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("env fatTimeZone: unknown time zone " + s);
        }
    }

    private static String type(Object v) {
        return v == null ? "null" : v.getClass().getName();
    }
}
