package io.vdetach.image.ewf;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The 13-byte header opening every segment file (libyal EWF, "File header"): the signature
 * "EVF\t\r\n\xff\0", a fields-start byte (1), the segment number (u16) and a fields-end u16 (0).
 * EWF2 (Ex01, Lx01) and logical evidence (L01) have signatures of their own and are not read.
 */
record EwfFileHeader(int segmentNumber) {
    static final int SIZE = 13;
    static final String EVF = "EVF\t\r\n\u00ff\0";
    static final String LVF = "LVF\t\r\n\u00ff\0";
    static final String EVF2 = "EVF2\r\n\u0081\0";
    static final String LEF2 = "LEF2\r\n\u0081\0";

    static EwfFileHeader parse(ByteBuffer b, String name) {
        if (b.remaining() < SIZE) {
            throw new CorruptImageException("ewf", "file header", 0, name + " is shorter than an EWF file header");
        }
        String sig = new String(b.array(), b.arrayOffset() + b.position(), 8, StandardCharsets.ISO_8859_1);
        if (sig.equals(EVF2) || sig.equals(LEF2)) {
            throw new UnsupportedImageException("ewf", "file header", 0, "EWF2 (Ex01/Lx01: " + name + ")");
        }
        if (sig.equals(LVF)) {
            throw new UnsupportedImageException("ewf", "file header", 0, "logical evidence (L01: " + name + ")");
        }
        if (!sig.equals(EVF)) throw new CorruptImageException("ewf", "file header signature", 0, name + " is not an EWF segment file");
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int segment = Short.toUnsignedInt(le.getShort(b.position() + 9));
        if (segment == 0) throw new CorruptImageException("ewf", "file header segment number", 9, name + ": segment number 0");
        return new EwfFileHeader(segment);
    }
}
