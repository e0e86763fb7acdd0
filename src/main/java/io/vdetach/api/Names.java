package io.vdetach.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Guest names (raw bytes, untrusted) as path components (strings) and back. A name that is valid
 * UTF-8 without '/' or NUL is its text. Any other name is written with '%', '/', NUL and every byte
 * that is not part of valid UTF-8 as {@code %XX} (upper-case hex); the names ".", ".." and the
 * empty name, which cannot be path components, are {@code %2E}, {@code %2E%2E} and {@code %}. A
 * hostile image could hold a name whose text is another name's escaped form ("a%2Fb" and "a/b"):
 * a lookup finds the first of them.
 */
final class Names {
    private Names() {}

    static String component(byte[] raw) {
        if (raw.length == 0) return "%";
        if (raw.length <= 2 && (raw[0] == '.' && (raw.length == 1 || raw[1] == '.'))) return raw.length == 1 ? "%2E" : "%2E%2E";
        String text = strictUtf8(raw);
        if (text != null && text.indexOf('/') < 0 && text.indexOf('\0') < 0) return text;
        StringBuilder b = new StringBuilder(raw.length + 8);
        int i = 0;
        while (i < raw.length) {
            int len = sequenceLength(raw, i);
            if (len == 0) {
                escape(b, raw[i]);
                i++;
                continue;
            }
            if (len == 1 && (raw[i] == '/' || raw[i] == 0 || raw[i] == '%')) escape(b, raw[i]);
            else b.append(new String(raw, i, len, StandardCharsets.UTF_8));
            i += len;
        }
        return b.toString();
    }

    /** Whether {@code raw} is the name {@code component} stands for. */
    static boolean matches(byte[] raw, String component, byte[] componentUtf8) {
        // without '%' a component is its name's text: compare bytes (the common case, no decoding)
        if (component.indexOf('%') < 0) return Arrays.equals(raw, componentUtf8);
        return component(raw).equals(component);
    }

    private static void escape(StringBuilder b, byte x) {
        b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)))
                .append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
    }

    private static String strictUtf8(byte[] raw) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The length of the valid UTF-8 sequence at {@code i}, or 0 when the byte there does not start one. */
    private static int sequenceLength(byte[] b, int i) {
        int c = b[i] & 0xff;
        int n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (n <= 1 || i + n > b.length) return n == 1 ? 1 : 0;
        return strictUtf8(Arrays.copyOfRange(b, i, i + n)) != null ? n : 0;
    }
}
