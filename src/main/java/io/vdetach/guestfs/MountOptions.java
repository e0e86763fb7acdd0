package io.vdetach.guestfs;

import io.vdetach.volume.bitlocker.Secrets;
import io.vdetach.volume.vss.StoreSelection;
import java.nio.charset.Charset;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * How guest volumes and filesystems are read.
 *
 * @param fatZone the zone FAT's local timestamps were written in (UTC by default, like Linux's vfat)
 * @param systemFiles show filesystem metadata files (NTFS $MFT, $LogFile, … $Extend)
 * @param fatCodePage the OEM code page of FAT 8.3 names (437 by default, like Linux's vfat)
 * @param secrets what unlocks encrypted (BitLocker) volumes: passwords, recovery passwords, startup keys
 * @param shadowCopies which VSS stores of NTFS volumes are read as volumes of their own (--vss)
 * @param ntfsXattrs also give NTFS files and directories {@code user.ntfs.crtime} and
 *     {@code user.ntfs.attrib} xattrs (--ntfs-xattrs); by default creation time and attributes are
 *     only {@link Node#btime()} and {@link Node#fileAttributes()}, which the evidence outputs carry
 */
public record MountOptions(ZoneId fatZone, boolean systemFiles, Charset fatCodePage, Secrets secrets,
                           StoreSelection shadowCopies, boolean ntfsXattrs) {
    public static final Charset CP437 = Charset.forName("IBM437");
    public static final MountOptions DEFAULT = new MountOptions(ZoneOffset.UTC, false);

    public MountOptions(ZoneId fatZone, boolean systemFiles) {
        this(fatZone, systemFiles, CP437, Secrets.NONE, StoreSelection.NONE, false);
    }

    /**
     * The code page called {@code name} as vfat's codepage= and DOS name them ("437", "850",
     * "cp852", "IBM866", "932"), or null when Java has no such charset.
     */
    public static Charset codePage(String name) {
        String digits = name.replaceAll("(?i)^(cp|ibm|x-ibm|ms)-?", "");
        for (String n : new String[] {name, "IBM" + digits, "x-IBM" + digits, "cp" + digits, "MS" + digits}) {
            try {
                if (Charset.isSupported(n)) return Charset.forName(n);
            } catch (java.nio.charset.IllegalCharsetNameException ignored) {
                // not a charset name: try the next spelling
            }
        }
        return null;
    }
}
