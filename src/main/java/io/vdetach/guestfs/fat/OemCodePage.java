package io.vdetach.guestfs.fat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;

/**
 * The OEM code page 8.3 names are stored in (Linux vfat's {@code codepage=}, 437 unless told):
 * decodes them, and lower-cases them where the NT case flags ask, through the code page itself,
 * as vfat's charset2lower table does: "CAFÉ-NFC" (É is 0x90 in code page 437) with the
 * lower-case-base flag is "café-nfc", not "cafÉ-nfc". Multi-byte code pages (932, 936, …) lower
 * only ASCII letters: their bytes are not characters on their own.
 */
final class OemCodePage {
    static final OemCodePage CP437 = new OemCodePage(Charset.forName("IBM437"));

    private final Charset charset;
    /** Per byte, the byte of its lower-case letter in this code page (itself when there is none). */
    private final byte[] lower = new byte[256];

    OemCodePage(Charset charset) {
        this.charset = charset;
        CharsetEncoder enc = charset.newEncoder().onUnmappableCharacter(CodingErrorAction.REPORT);
        CharsetDecoder dec = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        boolean singleByte = enc.maxBytesPerChar() == 1;
        for (int b = 0; b < 256; b++) {
            lower[b] = (byte) b;
            if (b >= 'A' && b <= 'Z') lower[b] = (byte) (b + 'a' - 'A');
            if (!singleByte || b < 0x80) continue;
            try {
                CharBuffer c = dec.decode(ByteBuffer.wrap(new byte[] {(byte) b}));
                if (c.length() != 1) continue;
                char l = Character.toLowerCase(c.get(0));
                if (l == c.get(0)) continue;
                ByteBuffer e = enc.encode(CharBuffer.wrap(new char[] {l}));
                if (e.remaining() == 1) lower[b] = e.get(0);
            } catch (CharacterCodingException ignored) {
                // a byte the code page leaves unassigned: kept as it is
            }
        }
    }

    String decode(byte[] b, int from, int len) {
        return new String(b, from, len, charset);
    }

    /** Lower-cases {@code n[from, from + len)} in place through the code page. */
    void lower(byte[] n, int from, int len) {
        for (int i = from; i < from + len; i++) n[i] = lower[n[i] & 0xff];
    }
}
