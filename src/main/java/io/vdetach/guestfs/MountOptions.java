package io.vdetach.guestfs;

import io.vdetach.volume.bitlocker.Secrets;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * How guest volumes and filesystems are read.
 *
 * @param fatZone the zone FAT's local timestamps were written in (UTC by default, like Linux's vfat)
 * @param systemFiles show filesystem metadata files (NTFS $MFT, $LogFile, … $Extend)
 * @param secrets what unlocks encrypted (BitLocker) volumes: passwords, recovery passwords, startup keys
 */
public record MountOptions(ZoneId fatZone, boolean systemFiles, Secrets secrets) {
    public static final MountOptions DEFAULT = new MountOptions(ZoneOffset.UTC, false);

    public MountOptions(ZoneId fatZone, boolean systemFiles) {
        this(fatZone, systemFiles, Secrets.NONE);
    }
}
