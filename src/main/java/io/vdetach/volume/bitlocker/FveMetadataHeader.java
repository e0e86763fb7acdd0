package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import io.vdetach.image.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * The 48-byte FVE metadata header that follows a block header, and opens a startup key (.BEK)
 * file (libyal BDE format, "FVE metadata header", "BEK file header").
 *
 * @param metadataSize bytes of this header and the entries after it
 * @param method the encryption method as stored (the low 16 bits name it, see {@link EncryptionMethod})
 */
record FveMetadataHeader(int metadataSize, Guid volumeId, int nextNonce, long method, Instant created) {

    static final int SIZE = 48;

    /**
     * @param at where {@code b} starts in its file or volume, for messages
     * @param room bytes available for the header and its entries
     */
    static FveMetadataHeader parse(ByteBuffer buffer, int from, long at, int room) {
        ByteBuffer b = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int size = b.getInt(from);
        int version = b.getInt(from + 4);
        int headerSize = b.getInt(from + 8);
        if (version != 1) throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata header version", at + 4, "version " + version);
        if (headerSize != SIZE) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata header size", at + 8, headerSize + ", not " + SIZE);
        }
        if (size < SIZE || size > room) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata size", at,
                    Integer.toUnsignedString(size) + " bytes out of [" + SIZE + ", " + room + "]");
        }
        return new FveMetadataHeader(size, Guid.read(b, from + 16), b.getInt(from + 32), Integer.toUnsignedLong(b.getInt(from + 36)),
                fileTime(b.getLong(from + 40)));
    }

    /** A FILETIME: 100-nanosecond intervals since 1601-01-01 UTC. */
    static Instant fileTime(long t) {
        long seconds = Long.divideUnsigned(t, 10_000_000L);
        long nanos = Long.remainderUnsigned(t, 10_000_000L) * 100;
        return Instant.parse("1601-01-01T00:00:00Z").plusSeconds(seconds).plusNanos(nanos);
    }
}
