package io.vdetach.volume.lvm;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A metadata area header (lib/format_text/layout.h, "mda_header"): checksum, magic
 * " LVM2 x[5A%r0N*>", version 1, the area's start and size, then raw locations whose first
 * entry is the current metadata text (offset relative to the area, size, checksum, flags).
 * The area is a ring after its 512-byte header, so the text may wrap.
 *
 * @param textOffset offset of the current text from the area start; 0 when the area holds none
 */
public record MdaHeader(long start, long size, long textOffset, long textSize) {

    private static final String MAGIC = " LVM2 x[5A%r0N*>";
    /** raw_locn flag: this copy was deliberately ignored (pvchange --metadataignore). */
    private static final int RAW_LOCN_IGNORED = 0x1;

    public static MdaHeader parse(ByteBuffer raw, long at, long areaSize) {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] m = new byte[16];
        b.get(4, m);
        if (!new String(m, StandardCharsets.ISO_8859_1).equals(MAGIC)) throw bad(at, "bad magic");
        if (b.getInt(20) != 1) throw bad(at, "version " + b.getInt(20));
        long start = b.getLong(24);
        long size = b.getLong(32);
        long off = b.getLong(40);
        long len = b.getLong(48);
        int flags = b.getInt(60);
        if (off == 0 || (flags & RAW_LOCN_IGNORED) != 0) return new MdaHeader(start, size, 0, 0);
        if (size < 1024 || size > areaSize || off < 512 || off >= size || len <= 0 || len > size - 512) {
            throw bad(at, "metadata text at " + off + "+" + len + " in an area of " + size + " bytes");
        }
        return new MdaHeader(start, size, off, len);
    }

    static CorruptImageException bad(long at, String detail) {
        return new CorruptImageException("lvm", "metadata area header", at, detail);
    }
}
