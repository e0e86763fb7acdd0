package io.vdetach.guestfs;

import io.vdetach.volume.vss.StoreSelection;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * How guest filesystems are read.
 *
 * @param fatZone the zone FAT's local timestamps were written in (UTC by default, like Linux's vfat)
 * @param systemFiles show filesystem metadata files (NTFS $MFT, $LogFile, … $Extend)
 * @param shadowCopies which VSS stores of NTFS volumes are read as volumes of their own (--vss)
 */
public record MountOptions(ZoneId fatZone, boolean systemFiles, StoreSelection shadowCopies) {
    public static final MountOptions DEFAULT = new MountOptions(ZoneOffset.UTC, false);

    public MountOptions(ZoneId fatZone, boolean systemFiles) {
        this(fatZone, systemFiles, StoreSelection.NONE);
    }
}
