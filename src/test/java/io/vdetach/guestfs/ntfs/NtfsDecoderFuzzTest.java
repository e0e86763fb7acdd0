package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The three decompressors on hostile input: they return a reason or succeed, never throw or overrun. */
class NtfsDecoderFuzzTest {

    @Test
    void randomInputNeverEscapes() {
        Random r = new Random(7);
        XpressHuffman xpress = new XpressHuffman();
        Lzx lzx = new Lzx();
        int rejected = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] src = new byte[1 + r.nextInt(600)];
            r.nextBytes(src);
            if (r.nextBoolean()) {
                // Plausible headers get the decoders deeper than pure noise does.
                for (int j = 0; j < Math.min(256, src.length); j++) src[j] = (byte) (r.nextInt(3) == 0 ? 0x88 : src[j] & 0x77);
            }
            int out = 1 + r.nextInt(32768);
            if (xpress.decompress(src, src.length, new byte[out], out) != null) rejected++;
            if (lzx.decompress(src, src.length, new byte[out], out) != null) rejected++;
            byte[] unit = new byte[65536];
            if (Lznt1.decompress(src, src.length, unit, unit.length) != null) rejected++;
        }
        assertThat(rejected).isPositive();
    }

    @Test
    void lznt1StoredAndCompressedChunks() {
        // A stored chunk (header 0x3fff: 4096 bytes, flag clear) and a compressed one holding
        // "abc" then a back reference of 6 bytes at distance 3 (MS-XCA 2.5 token layout).
        byte[] src = new byte[2 + 4096 + 2 + 1 + 3 + 2];
        src[0] = (byte) 0xff;
        src[1] = 0x3f;
        for (int i = 0; i < 4096; i++) src[2 + i] = (byte) i;
        int p = 2 + 4096;
        src[p] = (byte) (1 + 3 + 2 - 1);
        src[p + 1] = (byte) 0xb0;
        src[p + 2] = 0x08; // flags: three literals, then a back reference
        src[p + 3] = 'a';
        src[p + 4] = 'b';
        src[p + 5] = 'c';
        int token = ((3 - 1) << 12) | (6 - 3); // offset 3, length 6 at position 3 (4 offset bits)
        src[p + 6] = (byte) token;
        src[p + 7] = (byte) (token >>> 8);
        byte[] out = new byte[65536];
        assertThat(Lznt1.decompress(src, src.length, out, out.length)).isNull();
        assertThat(out[4095]).isEqualTo((byte) 4095);
        assertThat(new String(out, 4096, 9, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("abcabcabc");
        assertThat(out[4096 + 9]).isZero();
    }
}
