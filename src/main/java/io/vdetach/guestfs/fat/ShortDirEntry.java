package io.vdetach.guestfs.fat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A 32-byte short (8.3) directory entry, as stored (fatgen103 section 6). {@code name} holds the
 * 11 raw name bytes; {@code ntCase} is the byte Windows NT keeps at offset 12 (bit 3: base in
 * lower case, bit 4: extension in lower case), which fatgen103 calls reserved.
 */
record ShortDirEntry(byte[] name, int attributes, int ntCase, int createTenths, int createTime, int createDate,
                     int accessDate, int firstClusterHigh, int writeTime, int writeDate, int firstClusterLow,
                     long fileSize) {

    static final int SIZE = 32;
    static final int ATTR_READ_ONLY = 0x01;
    static final int ATTR_VOLUME_ID = 0x08;
    static final int ATTR_DIRECTORY = 0x10;
    /** Attribute value of a long-name entry; compared under mask 0x3F (fatgen103 section 7). */
    static final int ATTR_LONG_NAME = 0x0F;
    static final int FREE = 0xE5;

    static ShortDirEntry parse(ByteBuffer b, int at) {
        ByteBuffer x = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = new byte[11];
        x.get(at, name);
        return new ShortDirEntry(name, x.get(at + 11) & 0xff, x.get(at + 12) & 0xff, x.get(at + 13) & 0xff,
                u16(x, at + 14), u16(x, at + 16), u16(x, at + 18), u16(x, at + 20), u16(x, at + 22),
                u16(x, at + 24), u16(x, at + 26), x.getInt(at + 28) & 0xffffffffL);
    }

    private static int u16(ByteBuffer b, int at) { return b.getShort(at) & 0xffff; }

    boolean isDirectory() { return (attributes & ATTR_DIRECTORY) != 0; }

    boolean isDotEntry() {
        return name[0] == '.' && (name[1] == ' ' || (name[1] == '.' && name[2] == ' '));
    }

    /** FAT12/16 ignore the high word, as Linux does: it is reserved there. */
    long firstCluster(FatType type) {
        return type == FatType.FAT32 ? ((long) firstClusterHigh << 16) | firstClusterLow : firstClusterLow;
    }

    /** fatgen103 section 7, ChkSum(): the checksum long-name entries carry of their 8.3 name. */
    int checksum() {
        return checksum(name);
    }

    /** ChkSum() of 11 name bytes. */
    static int checksum(byte[] name) {
        int sum = 0;
        for (byte c : name) sum = (((sum & 1) << 7) + (sum >>> 1) + (c & 0xff)) & 0xff;
        return sum;
    }

    /**
     * The 8.3 name of a deleted entry as Sleuth Kit's fls shows it: its lost first byte (0xE5 now)
     * as '_', the rest as {@link #displayName}.
     */
    String deletedDisplayName(OemCodePage cp) {
        byte[] n = name.clone();
        n[0] = '_';
        return shown(n, cp);
    }

    /** The 8.3 name as Linux shows it: trailing spaces cut, NT lower-case flags applied and decoded through the code page. */
    String displayName(OemCodePage cp) {
        byte[] n = name.clone();
        if ((n[0] & 0xff) == 0x05) n[0] = (byte) FREE; // 0x05 stands for a leading 0xE5 (fatgen103 section 6.1)
        return shown(n, cp);
    }

    private String shown(byte[] n, OemCodePage cp) {
        int baseLen = 8;
        while (baseLen > 0 && n[baseLen - 1] == ' ') baseLen--;
        int extLen = 3;
        while (extLen > 0 && n[8 + extLen - 1] == ' ') extLen--;
        if ((ntCase & 0x08) != 0) cp.lower(n, 0, baseLen);
        if ((ntCase & 0x10) != 0) cp.lower(n, 8, extLen);
        String base = cp.decode(n, 0, baseLen);
        return extLen == 0 ? base : base + "." + cp.decode(n, 8, extLen);
    }
}
