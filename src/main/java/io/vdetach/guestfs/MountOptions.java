package io.vdetach.guestfs;

import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * How guest filesystems are read.
 *
 * @param fatZone the zone FAT's local timestamps were written in (UTC by default, like Linux's vfat)
 * @param systemFiles show filesystem metadata files (NTFS $MFT, $LogFile, … $Extend)
 * @param ntfsXattrs also give NTFS files and directories {@code user.ntfs.crtime} and
 *     {@code user.ntfs.attrib} xattrs (--ntfs-xattrs); by default creation time and attributes are
 *     only {@link Node#btime()} and {@link Node#fileAttributes()}, which the evidence outputs carry
 */
public record MountOptions(ZoneId fatZone, boolean systemFiles, boolean ntfsXattrs) {
    public static final MountOptions DEFAULT = new MountOptions(ZoneOffset.UTC, false, false);

    public MountOptions(ZoneId fatZone, boolean systemFiles) {
        this(fatZone, systemFiles, false);
    }
}
