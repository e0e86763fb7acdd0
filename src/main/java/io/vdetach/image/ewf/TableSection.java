package io.vdetach.image.ewf;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Adler32;

/**
 * A "table" (or its copy "table2") section (libyal EWF, "Table section"): a 24-byte header
 * (number of entries u32 at 0, base offset u64 at 8 — EnCase 6 and later; zero before, when
 * entries are offsets in the file — and an Adler-32 of the first 20 bytes at 20), then one u32
 * per chunk: bit 31 set for a zlib-compressed chunk, bits 0-30 the chunk's offset from the base.
 * When the chunks lie in a "sectors" section of their own, an Adler-32 of the entries follows
 * them; in SMART and EWF-E01 files the chunks follow the entries inside the table section.
 *
 * @param at offset of the section descriptor in {@code file}
 * @param dataStart where chunk data may start (the sectors section's body, or right after the entries)
 * @param dataEnd where chunk data must end (the end of that sectors section, or of this section)
 */
record TableSection(HostFile file, long at, long entries, long base, long dataStart, long dataEnd, boolean footer) {
    static final int HEADER = 24;
    /** More entries than this in one table are refused: EnCase writes at most 16375, libewf 65534. */
    static final long MAX_ENTRIES = 1 << 20;

    /**
     * Parses the header of the table whose descriptor is {@code d}; {@code sectors} is the sectors
     * section its chunks lie in, or null when they follow the entries.
     */
    static TableSection parse(HostFile file, SectionDescriptor d, SectionDescriptor sectors) throws IOException {
        String name = file.describe();
        long at = d.at() + SectionDescriptor.SIZE;
        if (d.bodySize() < HEADER) {
            throw new CorruptImageException("ewf", d.type() + " section", d.at(), name + ": too short for a table header");
        }
        ByteBuffer h = file.readBytes(at, HEADER).order(ByteOrder.LITTLE_ENDIAN);
        Adler32 sum = new Adler32();
        sum.update(h.array(), 0, 20);
        if ((int) sum.getValue() != h.getInt(20)) {
            throw new CorruptImageException("ewf", d.type() + " header checksum", at + 20, name + ": the " + d.type()
                    + " header fails its Adler-32");
        }
        long n = Integer.toUnsignedLong(h.getInt(0));
        long base = h.getLong(8);
        long entriesEnd = at + HEADER + 4 * n;
        if (n == 0 || n > MAX_ENTRIES || entriesEnd > d.at() + d.size()) {
            throw new CorruptImageException("ewf", d.type() + " number of entries", at, name + ": " + n + " entries (at most "
                    + MAX_ENTRIES + ", and within the section's " + d.size() + " bytes)");
        }
        if (base < 0 || base > file.size()) {
            throw new CorruptImageException("ewf", d.type() + " base offset", at + 8, name + ": base offset " + base
                    + " outside the file");
        }
        if (sectors == null) return new TableSection(file, d.at(), n, base, entriesEnd, d.at() + d.size(), false);
        if (entriesEnd + 4 > d.at() + d.size()) {
            throw new CorruptImageException("ewf", d.type() + " entries checksum", entriesEnd, name + ": no room for the checksum");
        }
        return new TableSection(file, d.at(), n, base, sectors.at() + SectionDescriptor.SIZE, sectors.at() + sectors.size(), true);
    }

    long entriesAt() { return at + SectionDescriptor.SIZE + HEADER; }

    /** The entries, their checksum checked when the format stores one. */
    int[] read() throws IOException {
        ByteBuffer b = file.readBytes(entriesAt(), (int) (4 * entries + (footer ? 4 : 0))).order(ByteOrder.LITTLE_ENDIAN);
        if (footer) {
            Adler32 sum = new Adler32();
            sum.update(b.array(), 0, (int) (4 * entries));
            if ((int) sum.getValue() != b.getInt((int) (4 * entries))) {
                throw new CorruptImageException("ewf", "table entries checksum", entriesAt() + 4 * entries, file.describe()
                        + ": the table's entries fail their Adler-32");
            }
        }
        int[] out = new int[(int) entries];
        b.asIntBuffer().get(out);
        return out;
    }
}
