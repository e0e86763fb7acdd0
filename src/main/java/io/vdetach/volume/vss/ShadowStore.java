package io.vdetach.volume.vss;

import java.time.Instant;
import java.util.UUID;

/**
 * One shadow copy of a volume, as its catalog entries and store header describe it.
 *
 * @param index 1 for the oldest, up to the number of stores for the newest
 * @param id the store identifier (also in its file name under System Volume Information)
 * @param creationTime FILETIME: 100 ns intervals since 1601-01-01 UTC
 * @param volumeSize the size of the volume when the shadow copy was made
 * @param information the store information; null when the store header could not be read
 */
public record ShadowStore(int index, UUID id, long creationTime, long volumeSize, StoreInformation information) {

    /** Seconds from 1601-01-01 to 1970-01-01. */
    private static final long FILETIME_EPOCH = 11_644_473_600L;
    private static final long TICKS = 10_000_000L;

    public Instant created() {
        return Instant.ofEpochSecond(Math.floorDiv(creationTime, TICKS) - FILETIME_EPOCH, Math.floorMod(creationTime, TICKS) * 100);
    }
}
