package io.vdetach.image.vhdx;

import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One log entry ([MS-VHDX] 2.3.1): a 64-byte header and 32-byte descriptors filling whole 4 KiB
 * sectors, then one 4 KiB data sector per data descriptor. The log is circular, so an entry may
 * wrap from the log's end to its start. An entry that fails any check is not an error: the log
 * holds old and torn entries by design; {@link #parse} answers null for them.
 */
record VhdxLogEntry(int startSector, int sectors, long sequenceNumber, long tail, long flushedFileOffset,
                    long lastFileOffset, List<Descriptor> descriptors) {

    static final int SECTOR = 4096;
    private static final int LOGE = 0x65676f6c; // "loge"
    private static final int DESC = 0x63736564; // "desc"
    private static final int ZERO = 0x6f72657a; // "zero"
    private static final int DATA = 0x61746164; // "data"

    /**
     * A write to replay ([MS-VHDX] 2.3.1.2, 2.3.1.3): {@code data} null means zeros over
     * {@code length} bytes; otherwise the 4 KiB block that goes to {@code fileOffset}.
     */
    record Descriptor(long fileOffset, long length, byte[] data) {}

    /** The entry starting at {@code startSector} of {@code log}, or null when it is not a valid entry of {@code guid}. */
    static VhdxLogEntry parse(byte[] log, int startSector, Guid guid) {
        int total = log.length / SECTOR;
        ByteBuffer first = sector(log, startSector, total);
        if (first.getInt(0) != LOGE) return null;
        long entryLength = Integer.toUnsignedLong(first.getInt(8));
        if (entryLength == 0 || entryLength % SECTOR != 0 || entryLength > log.length) return null;
        int sectors = (int) (entryLength / SECTOR);
        long seq = first.getLong(16);
        long count = Integer.toUnsignedLong(first.getInt(24));
        if (!Guid.read(first, 32).equals(guid)) return null;
        long headerSectors = (64 + 32 * count + SECTOR - 1) / SECTOR;
        if (headerSectors > sectors) return null;
        // checksum over the whole entry with the checksum field zero
        CRC32C crc = new CRC32C();
        for (int i = 0; i < sectors; i++) {
            ByteBuffer s = sector(log, startSector + i, total);
            if (i == 0) {
                crc.update(s.duplicate().limit(4));
                crc.update(new byte[4]);
                crc.update(s.duplicate().position(8));
            } else {
                crc.update(s);
            }
        }
        if ((int) crc.getValue() != first.getInt(4)) return null;
        List<Descriptor> out = new ArrayList<>((int) count);
        int dataSector = (int) headerSectors;
        for (int i = 0; i < count; i++) {
            int at = 64 + 32 * i;
            ByteBuffer s = sector(log, startSector + at / SECTOR, total);
            int in = at % SECTOR;
            int sig = s.getInt(in);
            if (s.getLong(in + 24) != seq) return null;
            long fileOffset = s.getLong(in + 16);
            if (fileOffset < 0 || fileOffset % SECTOR != 0) return null;
            if (sig == ZERO) {
                long zeroLength = s.getLong(in + 8);
                if (zeroLength < 0 || zeroLength % SECTOR != 0 || fileOffset + zeroLength < 0) return null;
                out.add(new Descriptor(fileOffset, zeroLength, null));
            } else if (sig == DESC) {
                if (dataSector >= sectors) return null;
                ByteBuffer d = sector(log, startSector + dataSector++, total);
                if (d.getInt(0) != DATA || Integer.toUnsignedLong(d.getInt(4)) != seq >>> 32
                        || d.getInt(SECTOR - 4) != (int) seq) {
                    return null;
                }
                byte[] block = new byte[SECTOR];
                ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
                b.putLong(0, s.getLong(in + 8));               // LeadingBytes: the block's first 8 bytes
                d.get(8, block, 8, 4084);                      // Data: the 4084 bytes in between
                b.putInt(SECTOR - 4, s.getInt(in + 4));        // TrailingBytes: its last 4 bytes
                out.add(new Descriptor(fileOffset, SECTOR, block));
            } else {
                return null;
            }
        }
        if (dataSector != sectors) return null;
        return new VhdxLogEntry(startSector, sectors, seq, Integer.toUnsignedLong(first.getInt(12)),
                first.getLong(48), first.getLong(56), List.copyOf(out));
    }

    private static ByteBuffer sector(byte[] log, int index, int total) {
        return ByteBuffer.wrap(log, (index % total) * SECTOR, SECTOR).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
}
