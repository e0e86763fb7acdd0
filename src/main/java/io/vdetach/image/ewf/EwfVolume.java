package io.vdetach.image.ewf;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Adler32;

/**
 * The media geometry of a "volume"/"disk" section (libyal EWF, "Volume section"): EnCase's
 * 1052-byte layout (media type u8 at 0, number of chunks u32 at 4, sectors per chunk u32 at 8,
 * bytes per sector u32 at 12, number of sectors u64 at 16, compression level u8 at 52, error
 * granularity u32 at 56, Adler-32 of the first 1048 bytes at 1048) or SMART's 94-byte one
 * (number of sectors u32 at 16, Adler-32 of the first 90 bytes at 90).
 */
record EwfVolume(int mediaType, long chunkCount, int sectorsPerChunk, int bytesPerSector, long sectorCount,
        int compressionLevel) {
    static final int ENCASE = 1052;
    static final int SMART = 94;
    /** Chunks above 64 MiB are refused: ewfacquire's largest is 32768 sectors of 2 KiB. */
    static final long MAX_CHUNK_BYTES = 64L << 20;
    /** Sector sizes above 64 KiB are refused: media sectors are 512 bytes to 4 KiB. */
    static final int MAX_SECTOR_BYTES = 1 << 16;

    static EwfVolume parse(ByteBuffer b, long at, String name) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int len = b.remaining();
        if (len != ENCASE && len != SMART) {
            throw new UnsupportedImageException("ewf", "volume section", at, name + ": a " + len
                    + "-byte volume section (EnCase's is " + ENCASE + " bytes, SMART's " + SMART + ")");
        }
        int sumAt = len - 4;
        Adler32 sum = new Adler32();
        sum.update(b.array(), b.arrayOffset() + b.position(), sumAt);
        if ((int) sum.getValue() != b.getInt(b.position() + sumAt)) {
            throw new CorruptImageException("ewf", "volume section checksum", at + sumAt, name + ": the volume section fails its Adler-32");
        }
        int p = b.position();
        long chunks = Integer.toUnsignedLong(b.getInt(p + 4));
        long spc = Integer.toUnsignedLong(b.getInt(p + 8));
        long bps = Integer.toUnsignedLong(b.getInt(p + 12));
        long sectors = len == ENCASE ? b.getLong(p + 16) : Integer.toUnsignedLong(b.getInt(p + 16));
        if (bps == 0 || bps > MAX_SECTOR_BYTES) {
            throw new CorruptImageException("ewf", "volume bytes per sector", at + 12, name + ": " + bps + " bytes per sector");
        }
        if (spc == 0 || spc * bps > MAX_CHUNK_BYTES) {
            throw new CorruptImageException("ewf", "volume sectors per chunk", at + 8, name + ": " + spc + " sectors of " + bps
                    + " bytes per chunk (at most " + MAX_CHUNK_BYTES + " bytes)");
        }
        if (sectors <= 0 || chunks == 0 || Long.compareUnsigned(sectors, chunks * spc) > 0 || (chunks - 1) * spc >= sectors
                || sectors > Long.MAX_VALUE / bps) {
            throw new CorruptImageException("ewf", "volume number of sectors", at + 16, name + ": " + Long.toUnsignedString(sectors)
                    + " sectors do not fill " + chunks + " chunks of " + spc + " sectors");
        }
        return new EwfVolume(Byte.toUnsignedInt(b.get(p)), chunks, (int) spc, (int) bps, sectors,
                len == ENCASE ? Byte.toUnsignedInt(b.get(p + 52)) : -1);
    }

    int chunkBytes() { return sectorsPerChunk * bytesPerSector; }

    long mediaBytes() { return sectorCount * bytesPerSector; }

    String describe() {
        String media = switch (mediaType) {
            case 0 -> "removable disk";
            case 1 -> "fixed disk";
            case 3 -> "optical disc";
            case 0x10 -> "memory";
            default -> "media type " + mediaType;
        };
        String level = switch (compressionLevel) {
            case -1 -> "SMART";
            case 0 -> "no compression";
            case 1 -> "fast compression";
            case 2 -> "best compression";
            default -> "compression level " + compressionLevel;
        };
        return media + ", " + sectorCount + " sectors of " + bytesPerSector + " bytes, chunks of " + sectorsPerChunk
                + " sectors, " + level;
    }
}
