package io.vdetach.testkit;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Byte patches that real tools will not make: how hostile and corrupt fixtures are crafted. */
public final class ImagePatch {
    private ImagePatch() {}

    /**
     * Renames the ext directory entry called {@code from} to {@code to} in place (same length,
     * or shorter: name_len is rewritten). Finds the entry by its header bytes (name_len, file
     * type, name), so the name must be unique in the image.
     */
    public static void replaceDirEntryName(Path img, String from, String to) throws Exception {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (t.length > f.length) throw new IllegalArgumentException("new name longer than the old one");
        byte[] all = Files.readAllBytes(img);
        int found = -1;
        for (int i = 8; i + f.length <= all.length; i++) {
            if ((all[i - 2] & 0xff) != f.length) continue;
            int type = all[i - 1] & 0xff;
            if (type < 1 || type > 7) continue;
            boolean eq = true;
            for (int k = 0; k < f.length && eq; k++) eq = all[i + k] == f[k];
            if (!eq) continue;
            // the entry's inode number must be non-zero and rec_len sane
            int rec = (all[i - 4] & 0xff) | (all[i - 3] & 0xff) << 8;
            if (rec < 8 + f.length || rec % 4 != 0) continue;
            if (found >= 0) throw new IllegalStateException("name " + from + " found twice");
            found = i;
        }
        if (found < 0) throw new IllegalStateException("no directory entry named " + from);
        try (RandomAccessFile r = new RandomAccessFile(img.toFile(), "rw")) {
            r.seek(found - 2);
            r.write(t.length);
            r.seek(found);
            r.write(t);
        }
    }

    /** Overwrites bytes at {@code offset}. */
    public static void write(Path img, long offset, byte[] bytes) throws Exception {
        try (RandomAccessFile r = new RandomAccessFile(img.toFile(), "rw")) {
            r.seek(offset);
            r.write(bytes);
        }
    }

    /** Writes a little-endian 32-bit value at {@code offset}. */
    public static void le32(Path img, long offset, long value) throws Exception {
        write(img, offset, new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)});
    }
}
