package io.vdetach.volume.lvm;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The LVM2 physical-volume label (lib/format_text/layout.h, "label_header" and "pv_header"):
 * "LABELONE" in one of the first four 512-byte sectors, type "LVM2 001", then the PV header
 * at {@code offset_xl}: the PV uuid, the device size, and two zero-terminated lists of
 * disk locations (data areas, then metadata areas). All little-endian.
 *
 * @param uuid the 32 uuid characters without dashes
 * @param metadataAreas byte offsets and sizes of the metadata areas, relative to the PV start
 */
public record PvLabel(long sector, String uuid, long deviceSize, List<long[]> dataAreas, List<long[]> metadataAreas) {

    /** Disk locations per list: LVM writes one or two; 16 is generous and bounds a hostile list. */
    private static final int MAX_LOCATIONS = 16;

    /**
     * The label in {@code sector} (its 512 bytes in {@code raw}), or null when the sector holds none.
     * {@code base} is the PV's offset on the disk, for messages.
     */
    public static PvLabel parse(ByteBuffer raw, long sector, long base) {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (!ascii(b, 0, 8).equals("LABELONE")) return null;
        long at = base + sector * 512;
        if (b.getLong(8) != sector) throw bad(at, "label says it is in sector " + b.getLong(8));
        if (!ascii(b, 24, 8).equals("LVM2 001")) throw bad(at, "label type " + ascii(b, 24, 8));
        int off = b.getInt(20);
        if (off < 32 || off > 512 - 40 - 32) throw bad(at, "PV header offset " + off);
        String uuid = ascii(b, off, 32);
        long devSize = b.getLong(off + 32);
        int pos = off + 40;
        List<long[]> data = new ArrayList<>();
        pos = locations(b, pos, data, at);
        List<long[]> mda = new ArrayList<>();
        locations(b, pos, mda, at);
        return new PvLabel(sector, uuid, devSize, data, mda);
    }

    private static int locations(ByteBuffer b, int pos, List<long[]> out, long at) {
        while (true) {
            if (pos + 16 > 512) throw bad(at, "disk location list runs past the label sector");
            long o = b.getLong(pos);
            long s = b.getLong(pos + 8);
            pos += 16;
            if (o == 0) return pos;
            if (o < 0 || s < 0 || out.size() >= MAX_LOCATIONS) throw bad(at, "disk location " + o + "+" + s);
            out.add(new long[] {o, s});
        }
    }

    private static String ascii(ByteBuffer b, int at, int len) {
        byte[] x = new byte[len];
        b.get(at, x);
        return new String(x, StandardCharsets.ISO_8859_1);
    }

    static CorruptImageException bad(long at, String detail) {
        return new CorruptImageException("lvm", "PV label", at, detail);
    }
}
