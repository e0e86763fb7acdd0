package io.vdetach.guestfs.exfat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Test-side edits of an exFAT image: patch an entry set in place and fix its SetChecksum (spec section 6.3.3). */
final class ExfatPatch {
    private ExfatPatch() {}

    interface Edit { void apply(ByteBuffer set); }

    /** Reads the set at {@code offset} (contiguous), applies {@code edit}, rewrites it with a correct checksum. */
    static void set(Path img, long offset, boolean fixChecksum, Edit edit) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            byte[] first = new byte[32];
            f.seek(offset);
            f.readFully(first);
            int n = 1 + (first[1] & 0xff);
            byte[] raw = new byte[n * 32];
            f.seek(offset);
            f.readFully(raw);
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            edit.apply(b);
            if (fixChecksum) {
                int sum = 0;
                for (int i = 0; i < raw.length; i++) {
                    if (i == 2 || i == 3) continue;
                    sum = (((sum & 1) != 0 ? 0x8000 : 0) + (sum >>> 1) + (raw[i] & 0xff)) & 0xffff;
                }
                b.putShort(2, (short) sum);
            }
            f.seek(offset);
            f.write(raw);
        }
    }

    static void bytes(Path img, long offset, byte[] data) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(offset);
            f.write(data);
        }
    }
}
