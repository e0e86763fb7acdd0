package io.vdetach.guestfs;

import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * How guest filesystems are read.
 *
 * @param fatZone the zone FAT's local timestamps were written in (UTC by default, like Linux's vfat)
 * @param systemFiles show filesystem metadata files (NTFS $MFT, $LogFile, … $Extend)
 */
public record MountOptions(ZoneId fatZone, boolean systemFiles) {
    public static final MountOptions DEFAULT = new MountOptions(ZoneOffset.UTC, false);
}
