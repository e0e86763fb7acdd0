package io.vdetach.guestfs.fat;

/**
 * Code page 437, the OEM code page of 8.3 names, decoded the way Linux's vfat does with its
 * default {@code codepage=437}: bytes below 0x80 are ASCII, the upper half maps to the IBM PC
 * characters. (Control bytes cannot appear in valid short names; they pass through as is.)
 */
final class Cp437 {
    private Cp437() {}

    private static final String HIGH =
            "ÇüéâäàåçêëèïîìÄÅ" + "ÉæÆôöòûùÿÖÜ¢£¥₧ƒ" + "áíóúñÑªº¿⌐¬½¼¡«»"
            + "░▒▓│┤╡╢╖╕╣║╗╝╜╛┐" + "└┴┬├─┼╞╟╚╔╩╦╠═╬╧" + "╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
            + "αßΓπΣσµτΦΘΩδ∞φε∩" + "≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

    static String decode(byte[] b, int from, int len) {
        StringBuilder s = new StringBuilder(len);
        for (int i = from; i < from + len; i++) {
            int c = b[i] & 0xff;
            s.append(c < 0x80 ? (char) c : HIGH.charAt(c - 0x80));
        }
        return s.toString();
    }
}
