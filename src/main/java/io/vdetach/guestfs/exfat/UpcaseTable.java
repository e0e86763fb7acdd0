package io.vdetach.guestfs.exfat;

import java.nio.ByteBuffer;

/**
 * The up-case table (section 7.2), expanded from its compressed form, used only to check the
 * NameHash of each file: 0xFFFF followed by a count means that many identity mappings.
 */
final class UpcaseTable {
    /** Section 7.2: the table maps at most all 65,536 UTF-16 code units, 2 bytes each. */
    static final int MAX_BYTES = 2 * 65536;

    private final char[] map = new char[65536];

    private UpcaseTable() {}

    static UpcaseTable parse(ByteBuffer raw) {
        UpcaseTable t = new UpcaseTable();
        for (int i = 0; i < 65536; i++) t.map[i] = (char) i;
        int c = 0;
        for (int at = 0; at + 1 < raw.limit() && c < 65536; at += 2) {
            int v = (raw.get(at) & 0xff) | (raw.get(at + 1) & 0xff) << 8;
            if (v == 0xFFFF && at + 3 < raw.limit()) {
                at += 2;
                c += (raw.get(at) & 0xff) | (raw.get(at + 1) & 0xff) << 8;
            } else {
                t.map[c++] = (char) v;
            }
        }
        return t;
    }

    /** Section 7.2.2, TableChecksum: the rotate-and-add sum over the table's bytes. */
    static long checksum(ByteBuffer raw) {
        int sum = 0;
        for (int i = 0; i < raw.limit(); i++) sum = ((sum & 1) != 0 ? 0x80000000 : 0) + (sum >>> 1) + (raw.get(i) & 0xff);
        return sum & 0xffffffffL;
    }

    /** Section 7.6.4, NameHash: a 16-bit rotate-and-add over the up-cased name's bytes. */
    int nameHash(String name) {
        int hash = 0;
        for (int i = 0; i < name.length(); i++) {
            char u = map[name.charAt(i)];
            hash = (((hash & 1) != 0 ? 0x8000 : 0) + (hash >>> 1) + (u & 0xff)) & 0xffff;
            hash = (((hash & 1) != 0 ? 0x8000 : 0) + (hash >>> 1) + (u >>> 8)) & 0xffff;
        }
        return hash;
    }
}
