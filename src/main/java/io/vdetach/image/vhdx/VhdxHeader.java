package io.vdetach.image.vhdx;

import io.vdetach.image.Damage;
import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** One of the two 4 KiB headers at 64 KiB and 128 KiB ([MS-VHDX] 2.2.2); {@code at} is where it was read. */
record VhdxHeader(
        long checksum,
        long sequenceNumber,
        Guid fileWriteGuid,
        Guid dataWriteGuid,
        Guid logGuid,
        int logVersion,
        int version,
        long logLength,
        long logOffset,
        long at) {

    static final int SIZE = 4096;

    /** Parses {@code b} (4 KiB from position 0), checking signature, CRC-32C and version. */
    static VhdxHeader parse(ByteBuffer b, long at) {
        Damage d = damage(b, at);
        if (d != null) throw d.exception();
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new VhdxHeader(Integer.toUnsignedLong(b.getInt(4)), b.getLong(8), Guid.read(b, 16), Guid.read(b, 32),
                Guid.read(b, 48), Short.toUnsignedInt(b.getShort(64)), Short.toUnsignedInt(b.getShort(66)),
                Integer.toUnsignedLong(b.getInt(68)), b.getLong(72), at);
    }

    /** What is wrong with the header in {@code b} (stored at {@code at}), or null when it is valid. */
    static Damage damage(ByteBuffer b, long at) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0x64616568) return new Damage("vhdx", "header", at, "signature is not \"head\"");
        long stored = Integer.toUnsignedLong(b.getInt(4));
        long computed = crc32c(b, SIZE, 4);
        if (stored != computed) {
            return new Damage("vhdx", "header", at, String.format("CRC-32C 0x%08x, computed 0x%08x", stored, computed));
        }
        int version = Short.toUnsignedInt(b.getShort(66));
        return version == 1 ? null : new Damage("vhdx", "header", at + 66, "version " + version + " (expected 1)");
    }

    /** CRC-32C over {@code len} bytes with the 4-byte checksum field at {@code checksumAt} taken as zero. */
    static long crc32c(ByteBuffer b, int len, int checksumAt) {
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(checksumAt));
        crc.update(new byte[4]);
        crc.update(b.duplicate().position(checksumAt + 4).limit(len));
        return crc.getValue();
    }
}
