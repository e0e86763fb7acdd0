package io.vdetach.volume.bitlocker;

/**
 * A 48-digit recovery password (libyal BDE format, "Recovery key"): 8 groups of 6 digits, each a
 * multiple of 11 whose quotient is a 16-bit value (so below 720,896); the 8 values, little-endian,
 * are the 16-byte key that {@link StretchKey} stretches.
 */
final class RecoveryPassword {
    private RecoveryPassword() {}

    static final int GROUPS = 8;
    /** 65,536 x 11: a group's quotient by 11 must fit 16 bits. */
    static final int GROUP_LIMIT = 720_896;

    /** The 16-byte key, or an {@link IllegalArgumentException} saying what is wrong with the text. */
    static byte[] key(String text) {
        String[] groups = text.trim().split("-", -1);
        if (groups.length != GROUPS) {
            throw new IllegalArgumentException("a recovery password is 8 groups of 6 digits separated by '-', not " + groups.length
                    + " groups");
        }
        byte[] key = new byte[2 * GROUPS];
        for (int g = 0; g < GROUPS; g++) {
            String s = groups[g];
            if (s.length() != 6 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("group " + (g + 1) + " (\"" + s + "\") is not 6 digits");
            }
            int v = Integer.parseInt(s);
            if (v % 11 != 0 || v >= GROUP_LIMIT) {
                throw new IllegalArgumentException("group " + (g + 1) + " (" + s + ") is not a multiple of 11 below " + GROUP_LIMIT
                        + ": a typo?");
            }
            key[2 * g] = (byte) (v / 11);
            key[2 * g + 1] = (byte) ((v / 11) >>> 8);
        }
        return key;
    }
}
