package io.vdetach.api;

import java.time.Instant;

/**
 * One VSS store of an NTFS volume: {@link ImageOptions#withShadowCopies} reads the volume as it
 * was when the store was made, as the volume {@link #volume()}.
 *
 * @param index 1 for the oldest store
 * @param volume the name the store's volume gets: {@code p1@vss2}
 * @param created the creation time to 100 ns; {@code creationFiletime} the same as Windows stores it
 * @param attributeFlags the store information's attribute flags; -1 when its header could not be read
 * @param shadowCopyId the shadow copy's GUID; null when the store information could not be read
 * @param problem why the store's header could not be read; null when it was
 */
public record ShadowCopy(int index, String volume, String id, Instant created, long creationFiletime, long volumeSize,
                         int attributeFlags, String shadowCopyId, String shadowCopySetId, String operatingMachine,
                         String serviceMachine, String problem) {}
