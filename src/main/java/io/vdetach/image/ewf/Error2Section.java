package io.vdetach.image.ewf;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;

/**
 * The sectors the acquiring tool could not read, from an "error2" section (libyal EWF, "Error2
 * section"): a header (number of entries u32 at 0, 512 bytes of padding, Adler-32 of the first
 * 516 bytes at 516), then per entry the first sector (u32) and the number of sectors (u32), then
 * an Adler-32 of the entries. The tool stored something (zeros) for them; it is not the media's data.
 */
final class Error2Section {
    static final int HEADER = 520;

    private Error2Section() {}

    /** The ranges as {first sector, sector count} pairs, each checked to lie inside the media's {@code sectors}. */
    static List<long[]> parse(HostFile file, SectionDescriptor d, long sectors) throws IOException {
        String name = file.describe();
        long at = d.at() + SectionDescriptor.SIZE;
        if (d.bodySize() < HEADER) throw new CorruptImageException("ewf", "error2 section", d.at(), name + ": too short");
        ByteBuffer h = file.readBytes(at, HEADER).order(ByteOrder.LITTLE_ENDIAN);
        Adler32 sum = new Adler32();
        sum.update(h.array(), 0, 516);
        if ((int) sum.getValue() != h.getInt(516)) {
            throw new CorruptImageException("ewf", "error2 header checksum", at + 516, name + ": the error2 header fails its Adler-32");
        }
        long n = Integer.toUnsignedLong(h.getInt(0));
        if (n * 8 + 4 > d.bodySize() - HEADER) {
            throw new CorruptImageException("ewf", "error2 number of entries", at, name + ": " + n
                    + " entries do not fit in the section (" + d.size() + " bytes)");
        }
        ByteBuffer e = file.readBytes(at + HEADER, (int) (n * 8 + 4)).order(ByteOrder.LITTLE_ENDIAN);
        sum.reset();
        sum.update(e.array(), 0, (int) (n * 8));
        if ((int) sum.getValue() != e.getInt((int) (n * 8))) {
            throw new CorruptImageException("ewf", "error2 entries checksum", at + HEADER + n * 8, name
                    + ": the error2 entries fail their Adler-32");
        }
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long first = Integer.toUnsignedLong(e.getInt(8 * i));
            long count = Integer.toUnsignedLong(e.getInt(8 * i + 4));
            if (count == 0) continue;
            if (first >= sectors || count > sectors - first) {
                throw new CorruptImageException("ewf", "error2 entry " + i, at + HEADER + 8L * i, name + ": sectors " + first
                        + "+" + count + " lie outside the media (" + sectors + " sectors)");
            }
            out.add(new long[] {first, count});
        }
        return out;
    }
}
