package io.vdetach.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A disk that is one LVM2 physical volume whose metadata area holds a given text, laid out as
 * lib/format_text/layout.h describes (label_header, pv_header, mda_header, raw_locn): the label in
 * sector 1, one metadata area at 4 KiB, the text after its 512-byte header, the data area from 1 MiB to the end (8 MiB).
 * Checksums are left zero (vdetach does not check them). Texts naming {@link #PV_UUID} find this PV.
 */
final class LvmDisk {
    private LvmDisk() {}

    static final String PV_UUID = "fuzzPVuuid0123456789abcdefghijkl";
    static final int SIZE = 8 << 20;
    private static final int MDA = 4096;
    private static final int MDA_SIZE = (1 << 20) - MDA;
    /** Longest text that fits the area after its header. */
    static final int MAX_TEXT = MDA_SIZE - 512;

    static byte[] withText(byte[] text) {
        int len = Math.min(text.length, MAX_TEXT);
        ByteBuffer d = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        d.put(512, ascii("LABELONE")).putLong(512 + 8, 1).putInt(512 + 20, 32).put(512 + 24, ascii("LVM2 001"));
        int pv = 512 + 32;
        d.put(pv, ascii(PV_UUID)).putLong(pv + 32, SIZE);
        d.putLong(pv + 40, 1 << 20).putLong(pv + 48, 0); // data area: from 1 MiB to the end
        // (0, 0) ends the data areas at pv + 56
        d.putLong(pv + 72, MDA).putLong(pv + 80, MDA_SIZE);
        // (0, 0) ends the metadata areas at pv + 88
        d.put(MDA + 4, ascii(" LVM2 x[5A%r0N*>")).putInt(MDA + 20, 1).putLong(MDA + 24, MDA).putLong(MDA + 32, MDA_SIZE);
        d.putLong(MDA + 40, 512).putLong(MDA + 48, len);
        d.put(MDA + 512, text, 0, len);
        return d.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
