package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Where each byte of the decrypted volume comes from (libyal BDE format, "Virtual sector(s)";
 * the same view Windows and cryptsetup give): the metadata areas and the stored copy of the boot
 * sectors read as zeros; the first sectors are the relocated copy, decrypted where it is stored;
 * bytes past the encrypted volume size are stored as plaintext; everything else is decrypted in
 * place. On Vista the boot sector is rebuilt and the next 15 sectors are stored as plaintext.
 */
record Layout(long size, List<Segment> segments) {

    enum Kind { ZERO, PLAIN, DECRYPT, VISTA_BOOT }

    /** {@code [start, end)} of the volume, stored at {@code source} of the raw volume (PLAIN, DECRYPT). */
    record Segment(long start, long end, Kind kind, long source) {}

    /** Vista: the boot sector, then 15 sectors stored unencrypted (libyal BDE format, "BitLocker Windows Vista"). */
    static final int VISTA_PLAIN = 8192;
    static final int BOOT_SECTOR = 512;

    static Layout of(long size, int sectorSize, FveMetadata m, long[] metadataOffsets) {
        FveBlockHeader bh = m.block();
        boolean vista = bh.version() == 1;
        long encrypted = vista ? size : bh.encryptedSize();
        long at = m.offset();
        if (encrypted < 0 || encrypted > size) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata block encrypted volume size", at + 16,
                    Long.toUnsignedString(encrypted) + " bytes past the volume's end (" + size + " bytes)");
        }
        if (encrypted % sectorSize != 0) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata block encrypted volume size", at + 16,
                    encrypted + " bytes is not a whole number of " + sectorSize + "-byte sectors");
        }
        long headerLength = 0, headerAt = 0;
        if (!vista) {
            headerLength = (long) bh.headerSectors() * sectorSize; // headerSectors < 2^31, sectorSize <= 4096: no overflow
            headerAt = bh.volumeHeaderOffset();
            if (headerAt < 0 || headerLength > size || headerAt > size - headerLength || headerAt % sectorSize != 0) {
                throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata block volume header offset", at + 56,
                        "relocated boot sectors [" + Long.toUnsignedString(headerAt) + ", +" + headerLength + ") do not lie in the "
                                + size + "-byte volume on a sector boundary");
            }
        }
        List<long[]> zeros = new ArrayList<>();
        for (long o : metadataOffsets) if (o >= 0 && o < size) zeros.add(new long[] {o, Math.min(size, o + m.area())});
        if (headerLength > 0) zeros.add(new long[] {headerAt, headerAt + headerLength});
        TreeSet<Long> cuts = new TreeSet<>(List.of(0L, size, encrypted, Math.min(size, headerLength)));
        if (vista) {
            cuts.add(Math.min(size, (long) BOOT_SECTOR));
            cuts.add(Math.min(size, (long) VISTA_PLAIN));
        }
        for (long[] z : zeros) {
            cuts.add(z[0]);
            cuts.add(z[1]);
        }
        List<Segment> out = new ArrayList<>();
        Long prev = null;
        for (long c : cuts) {
            if (prev != null && c > prev) add(out, segment(prev, c, vista, encrypted, headerLength, headerAt, zeros));
            prev = c;
        }
        return new Layout(size, out);
    }

    private static Segment segment(long a, long b, boolean vista, long encrypted, long headerLength, long headerAt, List<long[]> zeros) {
        for (long[] z : zeros) if (a >= z[0] && a < z[1]) return new Segment(a, b, Kind.ZERO, 0);
        if (vista && a < BOOT_SECTOR) return new Segment(a, b, Kind.VISTA_BOOT, a);
        if (vista && a < VISTA_PLAIN) return new Segment(a, b, Kind.PLAIN, a);
        if (a < headerLength) return new Segment(a, b, Kind.DECRYPT, headerAt + a);
        if (a >= encrypted) return new Segment(a, b, Kind.PLAIN, a);
        return new Segment(a, b, Kind.DECRYPT, a);
    }

    private static void add(List<Segment> out, Segment s) {
        if (!out.isEmpty()) {
            Segment last = out.getLast();
            if (last.kind == s.kind && last.end == s.start && (s.kind == Kind.ZERO || last.source + (last.end - last.start) == s.source)) {
                out.set(out.size() - 1, new Segment(last.start, s.end, s.kind, last.source));
                return;
            }
        }
        out.add(s);
    }

    /** Index of the segment holding {@code offset} (0 <= offset < size). */
    int find(long offset) {
        int lo = 0, hi = segments.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments.get(mid).start <= offset) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }
}
