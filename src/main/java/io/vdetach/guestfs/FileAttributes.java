package io.vdetach.guestfs;

import java.util.ArrayList;
import java.util.List;

/**
 * Windows file attributes (MS-FSCC 2.6, "File Attributes"), which NTFS keeps in
 * $STANDARD_INFORMATION and FAT and exFAT in their directory entries (the low byte uses the same
 * bits). {@link Node#fileAttributes()} holds them as Windows shows them.
 */
public final class FileAttributes {
    private FileAttributes() {}

    public static final int READONLY = 0x1;
    public static final int HIDDEN = 0x2;
    public static final int SYSTEM = 0x4;
    public static final int DIRECTORY = 0x10;
    public static final int ARCHIVE = 0x20;
    public static final int NORMAL = 0x80;

    /** Bit and name of every documented attribute, in bit order. */
    private static final Object[][] NAMES = {
            {0x1, "READONLY"}, {0x2, "HIDDEN"}, {0x4, "SYSTEM"}, {0x10, "DIRECTORY"}, {0x20, "ARCHIVE"},
            {0x40, "DEVICE"}, {0x80, "NORMAL"}, {0x100, "TEMPORARY"}, {0x200, "SPARSE_FILE"}, {0x400, "REPARSE_POINT"},
            {0x800, "COMPRESSED"}, {0x1000, "OFFLINE"}, {0x2000, "NOT_CONTENT_INDEXED"}, {0x4000, "ENCRYPTED"},
            {0x8000, "INTEGRITY_STREAM"}, {0x10000, "VIRTUAL"}, {0x20000, "NO_SCRUB_DATA"}, {0x40000, "RECALL_ON_OPEN"},
            {0x80000, "PINNED"}, {0x100000, "UNPINNED"}, {0x400000, "RECALL_ON_DATA_ACCESS"}};

    /** What Windows shows for stored attribute bits: none at all reads as {@link #NORMAL}. */
    public static int asShown(int stored) {
        return stored == 0 ? NORMAL : stored;
    }

    /**
     * "FILE_ATTRIBUTE_ARCHIVE", … for each bit set, in bit order; a bit without a documented name as
     * its hex value ("0x08000000").
     */
    public static List<String> names(int attributes) {
        List<String> out = new ArrayList<>();
        int left = attributes;
        for (Object[] n : NAMES) {
            int bit = (Integer) n[0];
            if ((attributes & bit) != 0) {
                out.add("FILE_ATTRIBUTE_" + n[1]);
                left &= ~bit;
            }
        }
        for (int bit = 1; bit != 0; bit <<= 1) if ((left & bit) != 0) out.add(String.format("0x%08x", bit));
        return out;
    }
}
