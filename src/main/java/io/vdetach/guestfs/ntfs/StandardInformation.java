package io.vdetach.guestfs.ntfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * $STANDARD_INFORMATION: NT times (100 ns units since 1601-01-01 UTC) and DOS file attributes.
 * Returns null from {@link #parse} when the value is shorter than its 48-byte NTFS 1.2 form.
 */
record StandardInformation(long creation, long modification, long mftChange, long access, int fileAttributes) {

    static final int READONLY = 0x0001;
    static final int HIDDEN = 0x0002;
    static final int SYSTEM = 0x0004;
    static final int ENCRYPTED = 0x4000;
    /** Set by NTFS on directories with a file-name index (FILE_ATTR_DUP_FILE_NAME_INDEX_PRESENT). */
    static final int I30_INDEX_PRESENT = 0x10000000;

    static StandardInformation parse(byte[] value) {
        if (value.length < 48) return null;
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        return new StandardInformation(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24), b.getInt(32));
    }

    /** Seconds between 1601-01-01 and 1970-01-01. */
    private static final long EPOCH_DIFF = 11_644_473_600L;

    static Instant instant(long ntTime) {
        long secs = Math.floorDiv(ntTime, 10_000_000L);
        long rest = Math.floorMod(ntTime, 10_000_000L);
        return Instant.ofEpochSecond(secs - EPOCH_DIFF, rest * 100);
    }
}
