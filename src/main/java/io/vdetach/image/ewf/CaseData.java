package io.vdetach.image.ewf;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The case data of a "header" (zlib-compressed ASCII) or "header2" (zlib-compressed UTF-16 with
 * a byte-order mark) section (libyal EWF, "Header section" and "Header2 section"): tab-separated
 * text whose category "main" is followed by a line of identifiers (c, n, a, e, t, av, ov, m, u, …)
 * and a line of their values. Dates are "YYYY M D h m s" in header and seconds since 1970 in header2.
 */
final class CaseData {
    /** Decompressed case data above 1 MiB is refused: real headers are a few hundred bytes. */
    static final int MAX_TEXT = 1 << 20;
    /** The identifiers shown, in this order, with the names ewfinfo uses for them. */
    private static final Map<String, String> LABELS = new LinkedHashMap<>();

    static {
        LABELS.put("c", "case number");
        LABELS.put("n", "evidence number");
        LABELS.put("a", "description");
        LABELS.put("e", "examiner");
        LABELS.put("t", "notes");
        LABELS.put("m", "acquisition date");
        LABELS.put("u", "system date");
        LABELS.put("ov", "acquisition OS");
        LABELS.put("av", "acquisition software version");
        LABELS.put("md", "model");
        LABELS.put("sn", "serial number");
        LABELS.put("l", "device label");
    }

    private CaseData() {}

    /** The labelled values of the section whose descriptor is {@code d}; empty when it holds no "main" category. */
    static Map<String, String> parse(HostFile file, SectionDescriptor d) throws IOException {
        long len = d.bodySize();
        if (len == 0 || len > MAX_TEXT) {
            throw new CorruptImageException("ewf", d.type() + " section", d.at(), file.describe() + ": " + len
                    + " bytes of case data (at most " + MAX_TEXT + ")");
        }
        byte[] packed = file.readBytes(d.at() + SectionDescriptor.SIZE, (int) len).array();
        byte[] text = inflate(packed, d, file.describe());
        String s;
        if (text.length >= 2 && (text[0] & 0xff) == 0xff && (text[1] & 0xff) == 0xfe) {
            s = new String(text, 2, text.length - 2, StandardCharsets.UTF_16LE);
        } else if (text.length >= 2 && (text[0] & 0xff) == 0xfe && (text[1] & 0xff) == 0xff) {
            s = new String(text, 2, text.length - 2, StandardCharsets.UTF_16BE);
        } else {
            s = new String(text, StandardCharsets.ISO_8859_1);
        }
        return fields(s, d.type().equals("header2"));
    }

    private static byte[] inflate(byte[] packed, SectionDescriptor d, String name) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(packed);
            byte[] out = new byte[8192];
            int n = 0;
            while (!inf.finished()) {
                if (n == out.length) {
                    if (out.length >= MAX_TEXT) {
                        throw new CorruptImageException("ewf", d.type() + " section", d.at(), name + ": case data inflates past "
                                + MAX_TEXT + " bytes");
                    }
                    out = java.util.Arrays.copyOf(out, out.length * 2);
                }
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            return java.util.Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw new CorruptImageException("ewf", d.type() + " section", d.at() + SectionDescriptor.SIZE, name
                    + ": bad zlib data in the case data: " + e.getMessage());
        } finally {
            inf.end();
        }
    }

    private static Map<String, String> fields(String text, boolean epochDates) {
        String[] lines = text.split("\n", -1);
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i + 2 < lines.length; i++) {
            if (!strip(lines[i]).equals("main")) continue;
            String[] keys = strip(lines[i + 1]).split("\t", -1);
            String[] values = strip(lines[i + 2]).split("\t", -1);
            Map<String, String> byKey = new LinkedHashMap<>();
            for (int k = 0; k < Math.min(keys.length, values.length); k++) byKey.put(keys[k], values[k]);
            for (Map.Entry<String, String> l : LABELS.entrySet()) {
                String v = byKey.get(l.getKey());
                if (v == null || v.isEmpty()) continue;
                if (l.getKey().equals("m") || l.getKey().equals("u")) v = date(v, epochDates);
                out.put(l.getValue(), v);
            }
            break;
        }
        return out;
    }

    private static String strip(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** "1626967998" (header2) as UTC; "2021 7 22 17 33 18" (header) as written, the acquiring machine's local time. */
    private static String date(String v, boolean epoch) {
        try {
            if (epoch) return Instant.ofEpochSecond(Long.parseLong(v.trim())).toString().replace('T', ' ').replace("Z", " UTC");
            String[] p = v.trim().split("\\s+");
            if (p.length == 6) {
                return String.format("%04d-%02d-%02d %02d:%02d:%02d (local time of the acquiring machine)",
                        Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]),
                        Integer.parseInt(p[4]), Integer.parseInt(p[5]));
            }
        } catch (NumberFormatException | java.time.DateTimeException e) {
            // not a date as documented: shown as stored
        }
        return v;
    }
}
