package io.vdetach.guestfs.exfat;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;

/**
 * One directory entry set: a File entry, its Stream Extension and File Name entries (section
 * 6.3), checked: a bad set is kept with its error so that only that entry fails.
 *
 * @param offset byte offset on the volume of the File entry: the node id
 * @param name the decoded name, or a placeholder naming the offset when it could not be read
 * @param error why the set cannot be used, or null
 */
record EntrySet(long offset, String name, FileDirectoryEntry file, StreamExtensionEntry stream,
                CorruptImageException error, boolean nameHashOk) {

    private static final String FORMAT = ExfatBootSector.FORMAT;
    /** Section 7.4.1: 2..18 secondary entries. */
    static final int MAX_SECONDARY = 18;
    static final int ENTRY = 32;
    private static final int NAME_CHARS = 15;

    /**
     * @param raw the set's {@code n} entries, 32 bytes each, in order
     * @param upcase for the NameHash check, or null to skip it
     */
    static EntrySet parse(ByteBuffer raw, int n, long offset, UpcaseTable upcase) {
        FileDirectoryEntry file = FileDirectoryEntry.parse(raw.slice(0, ENTRY));
        if (n < 2 || n - 1 != file.secondaryCount()) {
            return broken(offset, "File entry announces " + file.secondaryCount() + " secondary entries, the directory holds "
                    + (n - 1) + " in use after it");
        }
        int sum = 0; // section 6.3.3, EntrySetChecksum: bytes 2-3 of the first entry are the checksum itself
        for (int i = 0; i < n * ENTRY; i++) {
            if (i == 2 || i == 3) continue;
            sum = (((sum & 1) != 0 ? 0x8000 : 0) + (sum >>> 1) + (raw.get(i) & 0xff)) & 0xffff;
        }
        if ((raw.get(ENTRY) & 0xff) != StreamExtensionEntry.TYPE) {
            return broken(offset, "second entry of the set is not a Stream Extension");
        }
        StreamExtensionEntry stream = StreamExtensionEntry.parse(raw.slice(ENTRY, ENTRY));
        int len = stream.nameLength();
        int nameEntries = (len + NAME_CHARS - 1) / NAME_CHARS;
        if (len == 0 || 2 + nameEntries > n) {
            return broken(offset, "name length " + len + " needs more File Name entries than the set's " + (n - 2));
        }
        char[] chars = new char[nameEntries * NAME_CHARS];
        for (int k = 0; k < nameEntries; k++) {
            int at = (2 + k) * ENTRY;
            if ((raw.get(at) & 0xff) != 0xC1) return broken(offset, "entry " + (2 + k) + " of the set is not a File Name");
            for (int c = 0; c < NAME_CHARS; c++) {
                chars[k * NAME_CHARS + c] = (char) ((raw.get(at + 2 + 2 * c) & 0xff) | (raw.get(at + 3 + 2 * c) & 0xff) << 8);
            }
        }
        String name = new String(chars, 0, len);
        if (sum != file.setChecksum()) {
            return new EntrySet(offset, name, file, stream, new CorruptImageException(FORMAT, "directory entry set of \""
                    + name + "\"", offset, String.format("SetChecksum 0x%04X, computed 0x%04X", file.setChecksum(), sum)), true);
        }
        CorruptImageException err = checkStream(file, stream, offset, name);
        boolean hashOk = upcase == null || upcase.nameHash(name) == stream.nameHash();
        return new EntrySet(offset, name, file, stream, err, hashOk);
    }

    private static CorruptImageException checkStream(FileDirectoryEntry f, StreamExtensionEntry s, long offset, String name) {
        String what = "stream extension of \"" + name + "\"";
        long at = offset + ENTRY;
        if (s.dataLength() < 0 || s.validDataLength() < 0 || s.validDataLength() > s.dataLength()) {
            return new CorruptImageException(FORMAT, what, at, "ValidDataLength " + s.validDataLength()
                    + " and DataLength " + s.dataLength() + " are not 0 <= valid <= data");
        }
        if ((!s.allocationPossible() || s.firstCluster() == 0) && s.dataLength() != 0) {
            return new CorruptImageException(FORMAT, what, at, "DataLength " + s.dataLength() + " without clusters");
        }
        if (f.isDirectory() && s.dataLength() > ExfatDirectory.MAX_BYTES) {
            return new CorruptImageException(FORMAT, what, at, "a directory of " + s.dataLength()
                    + " bytes, above the 256 MiB exFAT allows");
        }
        return null;
    }

    static EntrySet broken(long offset, String why) {
        return new EntrySet(offset, "#broken-entry-set-at-" + offset, null, null,
                new CorruptImageException(FORMAT, "directory entry set", offset, why), false);
    }
}
