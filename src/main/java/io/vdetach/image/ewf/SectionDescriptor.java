package io.vdetach.image.ewf;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.Adler32;

/**
 * A section descriptor (libyal EWF, "Section descriptor"), 76 bytes: the type (16 bytes,
 * NUL-padded ASCII), the offset of the next section (u64, from the start of the segment file),
 * the section size including this descriptor (u64), 40 bytes of padding and an Adler-32 of the
 * first 72 bytes.
 *
 * @param at offset of this descriptor in its segment file
 */
record SectionDescriptor(String type, long at, long next, long size) {
    static final int SIZE = 76;

    static SectionDescriptor parse(ByteBuffer b, long at, long fileSize, String name) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Adler32 sum = new Adler32();
        sum.update(b.array(), b.arrayOffset(), 72);
        if ((int) sum.getValue() != b.getInt(72)) {
            throw new CorruptImageException("ewf", "section descriptor checksum", at + 72, name + ": the section descriptor at "
                    + at + " fails its Adler-32");
        }
        int n = 0;
        while (n < 16 && b.get(n) != 0) n++;
        String type = new String(b.array(), b.arrayOffset(), n, StandardCharsets.ISO_8859_1);
        long next = b.getLong(16);
        long size = b.getLong(24);
        if (next < 0 || next > fileSize) {
            throw new CorruptImageException("ewf", "section descriptor next", at + 16, name + ": section \"" + type
                    + "\" names its next section at " + next + ", outside the file (" + fileSize + " bytes)");
        }
        if (size < 0 || size > fileSize - at) {
            throw new CorruptImageException("ewf", "section descriptor size", at + 24, name + ": section \"" + type + "\" of "
                    + size + " bytes runs past the end of the file (" + fileSize + " bytes)");
        }
        return new SectionDescriptor(type, at, next, size);
    }

    /** Whether the section ends the segment file ("next": another segment follows; "done": the last one). */
    boolean last() { return type.equals("next") || type.equals("done"); }

    /** Bytes after the descriptor that belong to the section (0 when the size field says none). */
    long bodySize() { return Math.max(0, size - SIZE); }

    long end() { return at + Math.max(size, SIZE); }
}
