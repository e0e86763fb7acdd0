package io.vdetach.volume.bitlocker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** AES-CCM against the worked examples of NIST SP 800-38C, Appendix C. */
class AesCcmTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = HEX.parseHex("404142434445464748494a4b4c4d4e4f");

    private static void example(String nonce, String aad, String plain, int tagLength, String sealed) {
        byte[] n = HEX.parseHex(nonce), a = HEX.parseHex(aad), p = HEX.parseHex(plain);
        assertEquals(sealed, HEX.formatHex(AesCcm.seal(KEY, n, a, p, tagLength)));
        assertArrayEquals(p, AesCcm.open(KEY, n, a, HEX.parseHex(sealed), tagLength));
        byte[] bad = HEX.parseHex(sealed);
        bad[bad.length - 1] ^= 1;
        assertNull(AesCcm.open(KEY, n, a, bad, tagLength), "a changed tag is refused");
        bad = HEX.parseHex(sealed);
        bad[0] ^= 1;
        assertNull(AesCcm.open(KEY, n, a, bad, tagLength), "a changed ciphertext is refused");
    }

    @Test
    void example1() {
        example("10111213141516", "0001020304050607", "20212223", 4, "7162015b4dac255d");
    }

    @Test
    void example2() {
        example("1011121314151617", "000102030405060708090a0b0c0d0e0f", "202122232425262728292a2b2c2d2e2f", 6,
                "d2a1f0e051ea5f62081a7792073d593d1fc64fbfaccd");
    }

    @Test
    void example3() {
        example("101112131415161718191a1b", "000102030405060708090a0b0c0d0e0f10111213",
                "202122232425262728292a2b2c2d2e2f3031323334353637", 8,
                "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951");
    }

    @Test
    void bitLockerKeysRoundTripWithTheTagFirst() {
        byte[] key = new byte[32];
        byte[] nonce = HEX.parseHex("c049ba6f3632d50102000000");
        byte[] entry = HEX.parseHex("2c000000010001000080000000112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        byte[] value = WrappedKey.wrap(key, nonce, entry);
        var e = new FveEntry(0, 0, FveEntry.VALUE_AES_CCM, 1, value);
        KeyEntry k = WrappedKey.unwrap(e, key);
        assertEquals(0x8000, k.method());
        assertEquals(32, k.keyData().length);
        key[0] = 1;
        assertNull(WrappedKey.unwrap(e, key), "another key fails the tag");
    }
}
