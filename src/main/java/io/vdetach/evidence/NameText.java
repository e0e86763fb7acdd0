package io.vdetach.evidence;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Guest names as text for the evidence outputs. A guest name is raw bytes (any byte but '/'
 * and NUL on Linux filesystems, UTF-16 turned to UTF-8 for NTFS, FAT and exFAT); where the bytes
 * are valid UTF-8 the text is exact, elsewhere each byte that is not part of a valid sequence
 * becomes {@code \xNN} and the caller adds the exact bytes (base64) beside it.
 */
public final class NameText {
    private NameText() {}

    public static boolean isUtf8(byte[] name) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            d.decode(ByteBuffer.wrap(name));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The name decoded as UTF-8, with {@code \xNN} for every byte of an invalid sequence. */
    public static String utf8OrEscaped(byte[] name) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(name);
        CharBuffer out = CharBuffer.allocate(name.length * 4 + 4);
        StringBuilder b = new StringBuilder(name.length + 8);
        while (true) {
            var result = d.decode(in, out, true);
            out.flip();
            b.append(out);
            out.clear();
            if (result.isUnderflow()) break;
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) b.append(String.format("\\x%02x", in.get() & 0xff));
            }
        }
        d.flush(out);
        out.flip();
        b.append(out);
        return b.toString();
    }
}
